import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Memory } from '../domain/Memory.js';
import { DetectDuplicatesInput, MergeDuplicatesInput, type DuplicatePair } from '../domain/duplicates.js';
import type { DaemonLink } from './DaemonLink.js';
import { MemoryOut } from './outputSchemas.js';
import { failure, ok } from './results.js';

const PairsOut = z.looseObject({ pairs: z.array(z.looseObject({ a: z.string(), b: z.string(), score: z.number() })) });
const MergeOut = z.looseObject({ kept: MemoryOut, merged: z.array(z.string()) });

/** The lifecycle group (duplicates so far; bulk delete, GDPR export and the rest come with their issue). */
export function registerLifecycleTools(server: McpServer, link: DaemonLink): void {
  server.registerTool(
    'detect_duplicate_memories',
    {
      title: 'Detect duplicate memories',
      description: 'Find pairs of memories that say the same thing (by meaning and by wording), best match first, so they can be merged.',
      inputSchema: DetectDuplicatesInput,
      outputSchema: PairsOut,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      try {
        const r = await link.call<{ pairs: DuplicatePair[] }>('memory.detectDuplicates', args);
        const lines = r.pairs.map((p, i) => `${i + 1}. [${p.score}] ${p.a} ~ ${p.b}\n   A: ${p.a_content}\n   B: ${p.b_content}`);
        return ok(lines.length ? `Possible duplicates (${lines.length}):\n${lines.join('\n')}` : 'No duplicates above the threshold.', { ...r });
      } catch (err) {
        return failure(err);
      }
    },
  );
  server.registerTool(
    'merge_duplicate_memories',
    {
      title: 'Merge duplicate memories',
      description: 'Fold duplicates into one memory: their tags and metadata are added to the kept memory, then they are soft-deleted (recoverable).',
      inputSchema: MergeDuplicatesInput,
      outputSchema: MergeOut,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      try {
        const r = await link.call<{ kept: Memory; merged: string[] }>('memory.mergeDuplicates', args);
        return ok(`Kept ${r.kept.id}; merged and soft-deleted ${r.merged.join(', ')}.`, { ...r });
      } catch (err) {
        return failure(err);
      }
    },
  );
}
