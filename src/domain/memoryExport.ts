import { z } from 'zod';
import { StoreMemoryInput } from './memorySchemas.js';

/**
 * `mesh export` / `mesh import`: memories as JSON Lines, a header line then one memory per line,
 * with their ids and provenance, so an import into another mesh (or back into this one after a
 * reset) is idempotent: a memory whose id exists is left alone, and an erased one stays erased.
 */
export const EXPORT_FORMAT = 'hivemesh-memories';
export const EXPORT_VERSION = 1;
/** Memories per export page and per import call: one socket frame each, well under its limit. */
export const EXPORT_PAGE = 500;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time');

export const ExportHeader = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exported_at: isoTime,
  machine: z.string(),
  count: z.number().int().nonnegative(),
});
export type ExportHeader = z.infer<typeof ExportHeader>;

/** One exported memory: what store_memory takes, plus the id and provenance it had. */
export const ExportedMemory = StoreMemoryInput.extend({
  id: z.string().uuid('id must be a memory id (a UUID)'),
  category: StoreMemoryInput.shape.category.unwrap(),
  machine: z.string().min(1).max(200),
  agent: z.string().min(1).max(200),
  created_at: isoTime,
  updated_at: isoTime,
  deleted: z.boolean().default(false),
  deleted_at: isoTime.nullable().default(null),
  deleted_reason: z.string().max(500).nullable().default(null),
});
export type ExportedMemory = z.infer<typeof ExportedMemory>;

export const ExportPageInput = z.object({
  after: z.string().max(64).optional().describe('Last id of the previous page.'),
  limit: z.number().int().min(1).max(EXPORT_PAGE).default(EXPORT_PAGE),
  include_deleted: z.boolean().default(false),
});

export const ImportBatchInput = z.object({ memories: z.array(ExportedMemory).min(1).max(EXPORT_PAGE) });

export type ImportOutcome = 'created' | 'exists' | 'erased';
