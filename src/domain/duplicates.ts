import { z } from 'zod';
import { MeshError } from '../errors.js';
import type { MemoryVectors } from '../search/MemoryVectors.js';
import { tokenize } from '../search/tokenize.js';
import type { Actor } from '../types.js';
import type { Memory } from './Memory.js';
import type { MemoryService } from './MemoryService.js';
import { UpdateMemoryInput } from './memorySchemas.js';
import { formatZodError } from './zodErrors.js';

export const DetectDuplicatesInput = z.object({
  threshold: z.number().min(0.5).max(1).optional().describe('Similarity from 0.5 to 1 above which two memories count as duplicates (default 0.85).'),
  category: z.string().max(40).optional().describe('Only look within this category.'),
  limit: z.number().int().min(1).max(200).optional().describe('Maximum pairs to return (default 20).'),
});
export type DetectDuplicatesInput = z.infer<typeof DetectDuplicatesInput>;

export const MergeDuplicatesInput = z.object({
  keep_id: z.string().min(1).max(64).describe('The memory to keep.'),
  duplicate_ids: z.array(z.string().min(1).max(64)).min(1).max(50).describe('Memories folded into the kept one and then soft-deleted.'),
});
export type MergeDuplicatesInput = z.infer<typeof MergeDuplicatesInput>;

export interface DuplicatePair {
  a: string;
  b: string;
  score: number;
  semantic: number;
  text: number;
  a_content: string;
  b_content: string;
}

/** Memories scanned for duplicates per call, most recently updated first: bounds the cost on big stores. */
const SCAN_LIMIT = 5_000;
const NEIGHBOURS = 5;
const SNIPPET = 160;

/** Jaccard similarity of the two texts' token sets: catches copies the embedding may rank lower. */
export function textSimilarity(a: string, b: string): number {
  const ta = new Set(tokenize(a));
  const tb = new Set(tokenize(b));
  if (ta.size === 0 && tb.size === 0) return 1;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return common / (ta.size + tb.size - common);
}

/**
 * Finds near-duplicate pairs: candidates are each memory's nearest neighbours by embedding; a
 * pair's score is the mean of cosine similarity and token-set similarity, so both meaning and
 * wording have to agree.
 */
export async function detectDuplicates(memories: MemoryService, vectors: MemoryVectors | undefined, input: DetectDuplicatesInput): Promise<DuplicatePair[]> {
  if (!vectors) throw new MeshError('INVALID_INPUT', 'duplicate detection needs the embedding model, which is not loaded on this host (see `mesh model`)');
  const threshold = input.threshold ?? 0.85;
  const live = await memories.listLive({ category: input.category }, SCAN_LIMIT);
  const byId = new Map(live.map((m) => [m.id as string, m]));
  const seen = new Set<string>();
  const pairs: DuplicatePair[] = [];
  for (const m of live) {
    for (const hit of await vectors.neighbours(m, NEIGHBOURS)) {
      const other = byId.get(hit.key);
      // Only memories of one scope pair up: a merge across scopes is refused (see mergeDuplicates).
      if (!other || other.scope !== m.scope) continue;
      const key = m.id < other.id ? `${m.id}|${other.id}` : `${other.id}|${m.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const text = textSimilarity(m.content, other.content);
      const score = (hit.score + text) / 2;
      if (score >= threshold) pairs.push(pairOf(m, other, score, hit.score, text));
    }
  }
  pairs.sort((x, y) => y.score - x.score);
  return pairs.slice(0, input.limit ?? 20);
}

function pairOf(a: Memory, b: Memory, score: number, semantic: number, text: number): DuplicatePair {
  const r = (x: number) => Number(x.toFixed(3));
  return { a: a.id, b: b.id, score: r(score), semantic: r(semantic), text: r(text), a_content: a.content.slice(0, SNIPPET), b_content: b.content.slice(0, SNIPPET) };
}

/**
 * Folds duplicates into the kept memory (tags and metadata merged, the kept one's values win) and
 * soft-deletes them. All must share one scope: folding a private or team memory into a wider one
 * would publish its tags and metadata (and its id, in the kept memory's merged_from and in the
 * duplicate's deletion reason), so a merge across scopes is refused, not narrowed.
 */
export async function mergeDuplicates(memories: MemoryService, input: MergeDuplicatesInput, actor: Actor): Promise<{ kept: Memory; merged: string[] }> {
  if (input.duplicate_ids.includes(input.keep_id)) throw new MeshError('INVALID_INPUT', 'keep_id must not be among duplicate_ids');
  const keep = await memories.retrieve(input.keep_id);
  const dups = await Promise.all(input.duplicate_ids.map((id) => memories.retrieve(id)));
  const across = dups.filter((d) => d.scope !== keep.scope);
  if (across.length > 0) {
    throw new MeshError('SCOPE_MISMATCH', `cannot merge across scopes: ${keep.id} is ${keep.scope}, but ${across.map((d) => `${d.id} is ${d.scope}`).join(', ')}; merge memories of one scope only`, {
      keep_scope: keep.scope,
      ids: across.map((d) => d.id),
    });
  }
  const tags = [...new Set([...keep.tags, ...dups.flatMap((d) => d.tags)])];
  const metadata = Object.assign({}, ...dups.map((d) => d.metadata), keep.metadata, { merged_from: input.duplicate_ids }) as Record<string, never>;
  // The merged result must keep the bounds of any write (tag count, metadata size and shape).
  const update = UpdateMemoryInput.safeParse({ memory_id: keep.id, tags, metadata });
  if (!update.success) throw new MeshError('INVALID_INPUT', `the merged memory would break a limit: ${formatZodError(update.error)}`);
  const kept = await memories.update(update.data, actor);
  for (const d of dups) if (!d.deleted) await memories.delete({ memory_id: d.id, reason: `merged into ${keep.id}` }, actor);
  return { kept, merged: input.duplicate_ids };
}
