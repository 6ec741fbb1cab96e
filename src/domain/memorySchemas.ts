import { z } from 'zod';
import {
  DEFAULT_LIST_LIMIT,
  DEFAULT_SEARCH_LIMIT,
  MAX_CONTENT_CHARS,
  MAX_CONTEXT_CHARS,
  MAX_LIST_LIMIT,
  MAX_METADATA_ARRAY_ITEMS,
  MAX_METADATA_CHARS,
  MAX_METADATA_DEPTH,
  MAX_METADATA_KEY_CHARS,
  MAX_METADATA_KEYS,
  MAX_SEARCH_LIMIT,
  MAX_TAGS,
  MAX_TAG_CHARS,
} from '../constants.js';
import { findShapeProblem, type ShapeProblem } from './inputShape.js';
import { SCOPES } from './Memory.js';

/**
 * Input schemas shared by the MCP tools, the CLI and the daemon's socket API, so every door
 * validates the same way. Descriptions are written for a model choosing arguments.
 */
const memoryId = z.string().min(1).max(64).describe('The id of a memory, as returned by store_memory or search_memories.');
const category = z
  .string()
  .min(1)
  .max(40)
  .describe('One of: project, conversation, agent, global, infrastructure, incidents, deployments, monitoring, runbooks, security (or a custom category enabled in config).');
const tags = z
  .array(z.string().min(1).max(MAX_TAG_CHARS))
  .max(MAX_TAGS)
  .describe('Short labels for filtering, e.g. ["elasticsearch", "prod"].');
/** Deep enough for real structure, far from Automerge's 100-level limit (see constants.ts). */
const METADATA_SHAPE = { depth: MAX_METADATA_DEPTH, keys: MAX_METADATA_KEYS, keyChars: MAX_METADATA_KEY_CHARS, arrayItems: MAX_METADATA_ARRAY_ITEMS };
// Values are checked by an iterative walk, not z.json(): a recursive validator overflows the stack on deep input.
const metadata = z
  .record(z.string(), z.unknown())
  .superRefine((m, ctx) => {
    const problem = metadataProblem(m);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  })
  .describe(
    `Free-form structured data (JSON object) kept with the memory: at most ${MAX_METADATA_DEPTH} levels deep, ${MAX_METADATA_KEYS} keys, ${MAX_METADATA_CHARS} characters.`,
  );

/**
 * Why `metadata` breaks the bounds, or undefined. Also run on the metadata a write produces
 * (an update merges keys, a merge folds several memories), which no input schema sees whole.
 */
export function metadataProblem(m: Record<string, unknown>): ShapeProblem | undefined {
  const problem = findShapeProblem(m, METADATA_SHAPE);
  if (problem) return { path: problem.path, message: `metadata ${problem.message}` };
  const chars = JSON.stringify(m).length;
  if (chars > MAX_METADATA_CHARS) return { path: [], message: `metadata must serialise to at most ${MAX_METADATA_CHARS} characters (it would be ${chars})` };
  return undefined;
}

export const StoreMemoryInput = z.object({
  content: z
    .string()
    .min(1, 'content must not be empty')
    .max(MAX_CONTENT_CHARS, `content is limited to ${MAX_CONTENT_CHARS} characters; split long material into several memories`)
    .describe('The text to remember: a fact, decision, incident, runbook step or config note. Write it so it stands alone.'),
  category: category.optional().describe('Category of the memory (default "project"). ' + category.description),
  tags: tags.optional(),
  context: z.string().max(MAX_CONTEXT_CHARS).optional().describe('Where this came from or why it matters (task, ticket, conversation).'),
  project: z.string().max(200).optional().describe('Project or repository this memory belongs to.'),
  scope: z.enum(SCOPES).optional().describe('Who gets it: "mesh" (default, every host), "team" (team members\' hosts), "private" (never leaves this host).'),
  metadata: metadata.optional(),
});
export type StoreMemoryInput = z.infer<typeof StoreMemoryInput>;

export const RetrieveMemoryInput = z.object({ memory_id: memoryId });

export const UpdateMemoryInput = z.object({
  memory_id: memoryId,
  content: StoreMemoryInput.shape.content.optional(),
  tags: tags.optional().describe('Replaces the tag list.'),
  context: StoreMemoryInput.shape.context,
  category: category.optional(),
  project: StoreMemoryInput.shape.project,
  metadata: metadata.optional().describe('Keys to set; a key set to null is removed.'),
});
export type UpdateMemoryInput = z.infer<typeof UpdateMemoryInput>;

export const SEARCH_MODES = ['hybrid', 'semantic', 'keyword'] as const;

export const SearchMemoriesInput = z.object({
  query: z.string().min(1, 'query must not be empty').max(2_000).describe('What to look for, in words or exact tokens (hostnames, error codes, CVE ids).'),
  category: category.optional().describe('Only memories of this category.'),
  project: z.string().max(200).optional().describe('Only memories of this project.'),
  machine: z.string().max(200).optional().describe('Only memories written on this machine.'),
  agent: z.string().max(200).optional().describe('Only memories written by this agent (a roster id, or a client name for unregistered sessions).'),
  tags: tags.optional().describe('Only memories carrying all of these tags.'),
  since: z.iso.datetime({ offset: true }).optional().describe('Only memories updated at or after this ISO time.'),
  until: z.iso.datetime({ offset: true }).optional().describe('Only memories updated before this ISO time.'),
  include_deleted: z.boolean().optional().describe('Also return soft-deleted memories (default false).'),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional().describe(`Maximum results (default ${DEFAULT_SEARCH_LIMIT}).`),
  mode: z.enum(SEARCH_MODES).optional().describe('"hybrid" (default), "semantic" (by meaning) or "keyword" (exact words).'),
});
export type SearchMemoriesInput = z.infer<typeof SearchMemoriesInput>;

export const RecentMemoriesInput = z.object({
  hours: z.number().positive().max(24 * 365).optional().describe('Look back this many hours (default 24).'),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe(`Maximum results (default ${DEFAULT_LIST_LIMIT}).`),
  category: category.optional().describe('Only memories of this category.'),
});
export type RecentMemoriesInput = z.infer<typeof RecentMemoriesInput>;

export const DeleteMemoryInput = z.object({
  memory_id: memoryId,
  hard_delete: z.boolean().optional().describe('true erases the memory for good on every host; false (default) soft-deletes it, recoverable during the retention period.'),
  reason: z.string().max(500).optional().describe('Why it is being deleted; kept with a soft delete.'),
});
export type DeleteMemoryInput = z.infer<typeof DeleteMemoryInput>;

export const RecoverMemoryInput = z.object({ memory_id: memoryId });

export const ListDeletedInput = z.object({
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe(`Maximum results (default ${DEFAULT_LIST_LIMIT}).`),
});

export const ProjectMemoriesInput = z.object({
  project: z.string().max(200).optional().describe('Project name; omit to list projects with their counts.'),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe(`Maximum results (default ${DEFAULT_LIST_LIMIT}).`),
});

export const MachineContextInput = z.object({
  machine: z.string().max(200).optional().describe('Machine name; omit for this host.'),
});

export const EmptyInput = z.object({});

export const HistoryInput = z.object({ memory_id: memoryId });
