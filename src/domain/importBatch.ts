import { MeshError } from '../errors.js';
import type { Actor } from '../types.js';
import type { ExportedMemory, ImportOutcome } from './memoryExport.js';
import type { MemoryService } from './MemoryService.js';

/** Errors that refuse one imported memory, not the whole batch. */
const REFUSED_IMPORT_CODES = new Set<string>(['UNKNOWN_CATEGORY', 'INVALID_INPUT']);

export type ImportBatchResult = Record<ImportOutcome, number> & { rejected: { id: string; reason: string }[] };

/**
 * Imports one batch of exported memories. A memory this host refuses (say, a category it does not
 * allow) is reported by id and the rest still import; any other failure fails the batch.
 */
export async function importBatch(memories: MemoryService, batch: readonly ExportedMemory[], actor: Actor): Promise<ImportBatchResult> {
  const counts: Record<ImportOutcome, number> = { created: 0, exists: 0, erased: 0 };
  const rejected: { id: string; reason: string }[] = [];
  const created: string[] = [];
  for (const memory of batch) {
    try {
      const outcome = await memories.importOne(memory, actor);
      counts[outcome]++;
      if (outcome === 'created') created.push(memory.id);
    } catch (err) {
      if (!(err instanceof MeshError && REFUSED_IMPORT_CODES.has(err.code))) throw err;
      rejected.push({ id: memory.id, reason: err.message });
    }
  }
  // Waiting per memory made a batch of long memories outlast the client's timeout; one bounded wait for all.
  await memories.whenIndexed(created);
  return { ...counts, rejected };
}
