import { z } from 'zod';
import { MAX_TAGS, MAX_TAG_CHARS } from '../../constants.js';
import { InvalidInputError, MeshError } from '../../errors.js';
import type { MemoryIndex } from '../../search/MemoryIndex.js';
import { catalogFilter } from '../../search/catalogFilter.js';
import type { Actor } from '../../types.js';
import type { Memory } from '../Memory.js';
import type { MemoryService } from '../MemoryService.js';

/** Memories one bulk delete may touch: larger sets are narrowed by filters or done in steps. */
export const MAX_BULK_DELETE = 5_000;
/** Memories shown in a dry run, so the caller can see what the filters catch. */
const SAMPLE_SIZE = 5;

export const MemoryFilterInput = z.object({
  category: z.string().min(1).max(40).optional(),
  project: z.string().max(200).optional(),
  machine: z.string().max(200).optional(),
  agent: z.string().max(200).optional(),
  tags: z.array(z.string().min(1).max(MAX_TAG_CHARS)).max(MAX_TAGS).optional().describe('All of these tags.'),
  before: z.iso.datetime({ offset: true }).optional().describe('Updated before.'),
  since: z.iso.datetime({ offset: true }).optional().describe('Updated at or after.'),
});

export const BulkDeleteInput = MemoryFilterInput.extend({
  confirm: z.boolean().optional().describe('true deletes; otherwise a dry run (count and sample).'),
  expected_count: z.number().int().min(0).optional().describe('With confirm: the dry run\'s count; a different count refuses.'),
  hard_delete: z.boolean().optional().describe('Erase on every host instead of soft delete.'),
  reason: z.string().max(500).optional(),
});
export type BulkDeleteInput = z.infer<typeof BulkDeleteInput>;

export interface BulkDeleteResult {
  dry_run: boolean;
  count: number;
  deleted: number;
  hard: boolean;
  sample: Pick<Memory, 'id' | 'category' | 'project' | 'machine' | 'content'>[];
}

/**
 * Deletes every live memory a filter matches, in two steps: without `confirm` it only counts and
 * shows a sample; with `confirm: true` it needs the count the caller saw, so memories that arrived
 * in between (from another host, say) are never deleted unseen.
 */
export async function bulkDelete(deps: { memories: MemoryService; index: MemoryIndex }, input: BulkDeleteInput, actor: Actor): Promise<BulkDeleteResult> {
  const { confirm, expected_count: expected, hard_delete: hard = false, reason, ...filters } = input;
  if (Object.values(filters).every((v) => v === undefined)) throw new InvalidInputError('give at least one filter (category, project, machine, agent, tags, before, since); deleting every memory is not a bulk delete');
  // `before` is the bulk tools' name for the catalog's `until`.
  const filter = catalogFilter({ ...filters, until: filters.before });
  const count = deps.index.count(filter);
  if (confirm !== true) {
    const sampled = await Promise.all(deps.index.list(filter, SAMPLE_SIZE).map((id) => deps.memories.retrieve(id)));
    const sample = sampled.map((m) => ({ id: m.id, category: m.category, project: m.project, machine: m.machine, content: m.content.slice(0, 120) }));
    return { dry_run: true, count, deleted: 0, hard, sample };
  }
  if (expected === undefined || expected !== count) {
    throw new MeshError('CONFIRMATION_REQUIRED', `the filters match ${count} memories${expected === undefined ? '' : `, not ${expected}`}; run a dry run and pass its count as expected_count`, { count });
  }
  if (count > MAX_BULK_DELETE) throw new InvalidInputError(`the filters match ${count} memories; at most ${MAX_BULK_DELETE} per call: narrow them (e.g. with before)`);
  const ids = deps.index.list(filter, count);
  let deleted = 0;
  for (const id of ids) {
    try {
      await deps.memories.delete({ memory_id: id, hard_delete: hard, reason: reason ?? 'bulk delete' }, actor);
      deleted++;
    } catch (err) {
      // Deleted or erased meanwhile (by another host): nothing left to do for it.
      if (!(err instanceof MeshError && ['ALREADY_DELETED', 'ERASED', 'NOT_FOUND'].includes(err.code))) throw err;
    }
  }
  return { dry_run: false, count, deleted, hard, sample: [] };
}
