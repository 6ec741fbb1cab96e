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
const memoryId = z.string().min(1).max(64).describe('Memory id.');
const category = z
  .string()
  .min(1)
  .max(40)
  .describe('project, conversation, agent, global, infrastructure, incidents, deployments, monitoring, runbooks, security, or a custom one from config.');
const tags = z
  .array(z.string().min(1).max(MAX_TAG_CHARS))
  .max(MAX_TAGS)
  .describe('Short labels, e.g. ["nginx", "prod"].');
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
    `Any JSON object kept with the memory (at most ${MAX_METADATA_DEPTH} levels, ${MAX_METADATA_KEYS} keys).`,
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

/** The explicit insistence that text which looks like a credential is stored anyway (see secrets/secretRefusal.ts). */
const allowSecret = z
  .boolean()
  .optional()
  .describe('Store even if it looks like a secret.');

export const StoreMemoryInput = z.object({
  content: z
    .string()
    .min(1, 'content must not be empty')
    .max(MAX_CONTENT_CHARS, `content is limited to ${MAX_CONTENT_CHARS} characters; split long material into several memories`)
    .describe('The text to remember, written to stand alone.'),
  category: category.optional().describe('Default "project"; ' + category.description),
  tags: tags.optional(),
  context: z.string().max(MAX_CONTEXT_CHARS).optional().describe('Where it came from or why it matters.'),
  project: z.string().max(200).optional().describe('Project or repository.'),
  scope: z.enum(SCOPES).optional().describe('"mesh" (default): every host; "team": hosts of team `team`; "private": this host only.'),
  team: z.string().min(1).max(100).optional(),
  metadata: metadata.optional(),
  allow_secret: allowSecret,
});
export type StoreMemoryInput = z.infer<typeof StoreMemoryInput>;

export const RetrieveMemoryInput = z.object({ memory_id: memoryId });

export const UpdateMemoryInput = z.object({
  memory_id: memoryId,
  content: StoreMemoryInput.shape.content.optional(),
  tags: tags.optional().describe('Replaces the tags.'),
  context: StoreMemoryInput.shape.context,
  category: category.optional(),
  project: StoreMemoryInput.shape.project,
  metadata: metadata.optional().describe('Keys to set; a key set to null is removed.'),
  allow_secret: allowSecret,
});
export type UpdateMemoryInput = z.infer<typeof UpdateMemoryInput>;

export const SEARCH_MODES = ['hybrid', 'semantic', 'keyword'] as const;

export const SearchMemoriesInput = z.object({
  query: z.string().min(1, 'query must not be empty').max(2_000).describe('Words or exact tokens.'),
  category: category.optional().describe('Only this category.'),
  project: z.string().max(200).optional().describe('Only this project.'),
  machine: z.string().max(200).optional().describe('Only written on this machine.'),
  agent: z.string().max(200).optional().describe('Only written by this agent (roster id or client name).'),
  tags: tags.optional().describe('Only with all these tags.'),
  since: z.iso.datetime({ offset: true }).optional().describe('Updated at or after.'),
  until: z.iso.datetime({ offset: true }).optional().describe('Updated before.'),
  include_deleted: z.boolean().optional().describe('Include soft-deleted ones.'),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional().describe(`Default ${DEFAULT_SEARCH_LIMIT}.`),
  mode: z.enum(SEARCH_MODES).optional().describe('Default hybrid (meaning + words).'),
});
export type SearchMemoriesInput = z.infer<typeof SearchMemoriesInput>;

export const RecentMemoriesInput = z.object({
  hours: z.number().positive().max(24 * 365).optional().describe('Look back (default 24).'),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe(`Default ${DEFAULT_LIST_LIMIT}.`),
  category: category.optional().describe('Only this category.'),
});
export type RecentMemoriesInput = z.infer<typeof RecentMemoriesInput>;

export const DeleteMemoryInput = z.object({
  memory_id: memoryId,
  hard_delete: z.boolean().optional().describe('Erase for good on every host (default: soft delete, recoverable).'),
  reason: z.string().max(500).optional().describe('Why; kept with a soft delete.'),
});
export type DeleteMemoryInput = z.infer<typeof DeleteMemoryInput>;

export const RecoverMemoryInput = z.object({ memory_id: memoryId });

export const ListDeletedInput = z.object({
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe(`Default ${DEFAULT_LIST_LIMIT}.`),
});

export const ProjectMemoriesInput = z.object({
  project: z.string().max(200).optional().describe('Omit to list projects with counts.'),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe(`Default ${DEFAULT_LIST_LIMIT}.`),
});

export const MachineContextInput = z.object({
  machine: z.string().max(200).optional().describe('Default: this host.'),
});

export const EmptyInput = z.object({});

export const HistoryInput = z.object({ memory_id: memoryId });
