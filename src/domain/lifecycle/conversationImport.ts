import { z } from 'zod';
import { MAX_TAGS, MAX_TAG_CHARS } from '../../constants.js';
import { MeshError } from '../../errors.js';
import { IMPORT_BATCH, MAX_IMPORTED_MEMORY_CHARS } from '../../transcripts/constants.js';
import type { Actor } from '../../types.js';
import type { MemoryService } from '../MemoryService.js';
import { StoreMemoryInput } from '../memorySchemas.js';

/** One memory drawn from a conversation, with the id its session and anchor give it. */
export const ConversationMemory = z.object({
  id: z.uuid(),
  content: z.string().min(1).max(MAX_IMPORTED_MEMORY_CHARS),
  project: z.string().max(200).optional(),
  tags: z.array(z.string().min(1).max(MAX_TAG_CHARS)).max(MAX_TAGS),
  metadata: StoreMemoryInput.shape.metadata,
  created_at: z.iso.datetime({ offset: true }).optional(),
  /** The session summary grows with the session: an existing one is brought up to date. */
  replace: z.boolean().optional(),
});
export type ConversationMemory = z.infer<typeof ConversationMemory>;

export const UpsertConversationInput = z.object({ memories: z.array(ConversationMemory).min(1).max(IMPORT_BATCH) });

export interface UpsertOutcome {
  created: number;
  updated: number;
  unchanged: number;
  /** Erased before: an import never brings an erasure back. */
  erased: number;
}

/**
 * Stores imported conversation memories idempotently: an id this host has is left alone (or,
 * for a summary, updated when its text changed), an erased id stays erased.
 */
export async function upsertConversation(memories: MemoryService, input: z.infer<typeof UpsertConversationInput>, actor: Actor, now = Date.now()): Promise<UpsertOutcome> {
  const out: UpsertOutcome = { created: 0, updated: 0, unchanged: 0, erased: 0 };
  for (const m of input.memories) {
    const at = m.created_at ?? new Date(now).toISOString();
    const outcome = await memories.importOne(
      {
        id: m.id,
        content: m.content,
        category: 'conversation',
        tags: m.tags,
        ...(m.project ? { project: m.project } : {}),
        ...(m.metadata ? { metadata: m.metadata } : {}),
        machine: actor.machine,
        agent: actor.agent,
        created_at: at,
        updated_at: at,
        deleted: false,
        deleted_at: null,
        deleted_reason: null,
      },
      actor,
    );
    if (outcome === 'created') out.created++;
    else if (outcome === 'erased') out.erased++;
    else if (m.replace && (await replaceIfChanged(memories, m, actor))) out.updated++;
    else out.unchanged++;
  }
  return out;
}

async function replaceIfChanged(memories: MemoryService, m: ConversationMemory, actor: Actor): Promise<boolean> {
  const current = await memories.retrieve(m.id);
  // A summary someone deleted stays deleted; one whose text is the same needs no write.
  if (current.deleted || current.content === m.content) return false;
  try {
    // Already redacted by the transcript import with the same detector: a redaction marker can itself look like an assignment.
    await memories.update({ memory_id: m.id, content: m.content, ...(m.metadata ? { metadata: m.metadata } : {}), allow_secret: true }, actor);
    return true;
  } catch (err) {
    if (err instanceof MeshError && (err.code === 'ALREADY_DELETED' || err.code === 'ERASED')) return false;
    throw err;
  }
}
