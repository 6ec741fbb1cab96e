import { z } from 'zod';
import { SCOPES } from './Memory.js';

/** A memory view as received from a peer: checked before it is stored or indexed. */
export const MemoryViewSchema = z.object({
  id: z.string().min(1).max(128),
  content: z.string().max(1_000_000),
  category: z.string().max(100),
  tags: z.array(z.string().max(200)).max(256),
  context: z.string().max(100_000),
  project: z.string().max(500),
  scope: z.enum(SCOPES),
  team: z.string().max(100).optional(),
  metadata: z.record(z.string(), z.unknown()),
  machine: z.string().max(500),
  agent: z.string().max(500),
  created_at: z.string().max(40),
  updated_at: z.string().max(40),
  updated_by: z.string().max(500),
  deleted: z.boolean(),
  deleted_at: z.string().max(40).nullable(),
  deleted_reason: z.string().max(1_000).nullable(),
  format_version: z.number().int(),
});
