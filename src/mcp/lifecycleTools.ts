import { mkdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DetectDuplicatesInput, MergeDuplicatesInput } from '../domain/duplicates.js';
import { BulkDeleteInput } from '../domain/lifecycle/bulkDelete.js';
import { FORMAT_GUIDE } from '../domain/lifecycle/formatGuide.js';
import { GdprDeleteInput, GdprSubject } from '../domain/lifecycle/gdpr.js';
import { writeGdprExport } from '../domain/lifecycle/gdprExportFile.js';
import { EmptyInput } from '../domain/memorySchemas.js';
import { InvalidInputError } from '../errors.js';
import type { ConversationMemory } from '../domain/lifecycle/conversationImport.js';
import { importTranscripts } from '../transcripts/importTranscript.js';
import type { DaemonLink } from './DaemonLink.js';
import { MemoryOut } from './outputSchemas.js';
import { failure, guarded, ok } from './results.js';

const PairsOut = z.looseObject({ pairs: z.array(z.looseObject({ a: z.string(), b: z.string(), score: z.number() })) });
const MergeOut = z.looseObject({ kept: MemoryOut, merged: z.array(z.string()) });
const BulkOut = z.looseObject({ dry_run: z.boolean(), count: z.number(), deleted: z.number() });
const ErasedOut = z.looseObject({ erased: z.number() });
const ExportOut = z.looseObject({ path: z.string(), memories: z.number(), tasks: z.number() });
const GdprDeleteOut = z.looseObject({ dry_run: z.boolean(), erased_memories: z.number(), erased_tasks: z.number() });
const ImportOut = z.looseObject({ created: z.number(), updated: z.number(), unchanged: z.number() });
const GuideOut = z.looseObject({ guide: z.string() });
const AccessOut = z.looseObject({ sessions: z.array(z.looseObject({ session: z.string(), agent: z.string() })) });

const GdprExportInput = z.object({
  subject: GdprSubject,
  path: z.string().max(4_096).optional().describe('Absolute path of a new file (default: exports/ in the mesh home).'),
});
const ImportConversationInput = z.object({
  path: z.string().min(1).max(4_096).describe('A Claude Code transcript (.jsonl) or a folder of them.'),
  project: z.string().max(200).optional().describe('Default: from the session\'s working directory.'),
});
const AccessStatsToolInput = z.object({ session: z.string().max(200).optional(), agent: z.string().max(200).optional() });

const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const DESTRUCTIVE = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false } as const;
const READ = { readOnlyHint: true, openWorldHint: false } as const;

/** The lifecycle group: duplicates, bulk and GDPR deletion, exports, conversation import, usage, the format guide. */
export function registerLifecycleTools(server: McpServer, link: DaemonLink): void {
  server.registerTool(
    'detect_duplicate_memories',
    { title: 'Detect duplicate memories', description: 'Pairs of memories saying the same thing, best match first.', inputSchema: DetectDuplicatesInput, outputSchema: PairsOut, annotations: READ },
    async (args) => {
      try {
        const r = await link.call('memory.detectDuplicates', args);
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
      description: 'Fold duplicates into the kept memory (tags and metadata added), then soft-delete them.',
      inputSchema: MergeDuplicatesInput,
      outputSchema: MergeOut,
      annotations: DESTRUCTIVE,
    },
    guarded(async (args) => {
      const r = await link.call('memory.mergeDuplicates', args);
      return ok(`Kept ${r.kept.id}; merged and soft-deleted ${r.merged.join(', ')}.`, { ...r });
    }),
  );
  server.registerTool(
    'bulk_delete_memories',
    {
      title: 'Bulk delete memories',
      description: 'Delete every memory matching filters. Without confirm: a dry run (count, sample). To delete: confirm true and expected_count = that count.',
      inputSchema: BulkDeleteInput,
      outputSchema: BulkOut,
      annotations: DESTRUCTIVE,
    },
    guarded(async (args) => {
      const r = await link.call('lifecycle.bulkDelete', args);
      const sample = r.sample.map((m) => `- ${m.id} (${m.category}${m.project ? ` · ${m.project}` : ''}) ${m.content}`).join('\n');
      return twoStepResult(r, {
        found: `${r.count} memories match.${sample ? `\n${sample}` : ''}\n`,
        again: 'delete them',
        count: r.count,
        done: () => `${r.hard ? 'Erased' : 'Soft-deleted'} ${r.deleted} of ${r.count} memories.`,
      });
    }),
  );
  server.registerTool(
    'cleanup_expired_deletions',
    { title: 'Clean up expired deletions', description: 'Erase soft-deleted memories past the retention period now.', inputSchema: EmptyInput, outputSchema: ErasedOut, annotations: DESTRUCTIVE },
    guarded(async () => {
      const r = await link.call('lifecycle.cleanupExpired', {});
      return ok(`Erased ${r.erased} memories past retention.`, { ...r });
    }),
  );
  server.registerTool(
    'gdpr_export_user_data',
    {
      title: 'GDPR export',
      description: 'Write everything an agent (person) or machine wrote (memories, tasks) to a JSON file; returns its path.',
      inputSchema: GdprExportInput,
      outputSchema: ExportOut,
      annotations: WRITE,
    },
    guarded(async (args) => {
      const path = args.path ?? (await defaultExportPath(link.home, args.subject));
      if (!isAbsolute(path)) throw new InvalidInputError('path must be absolute');
      const r = await writeGdprExport(link, args.subject, path);
      return ok(`Exported ${r.memories} memories and ${r.tasks} tasks to ${r.path}.`, { ...r });
    }),
  );
  server.registerTool(
    'gdpr_delete_user_data',
    {
      title: 'GDPR erasure',
      description: 'Erase on every host all an agent (person) or machine wrote. Without confirm: counts. To erase: confirm true and expected_count = memories + tasks.',
      inputSchema: GdprDeleteInput,
      outputSchema: GdprDeleteOut,
      annotations: DESTRUCTIVE,
    },
    guarded(async (args) => {
      const r = await link.call('gdpr.delete', args);
      const hosts = r.hosts.map((h) => `${h.host} (${h.connected ? 'connected: now' : 'offline: on reconnect'})`).join(', ') || 'none';
      return twoStepResult(r, {
        found: `${r.memories} memories and ${r.tasks} tasks. `,
        again: 'erase',
        count: r.memories + r.tasks,
        done: () => `Erased ${r.erased_memories} memories and ${r.erased_tasks} tasks on ${r.this_host}; the erasure replicates to: ${hosts}.`,
      });
    }),
  );
  server.registerTool(
    'import_conversation',
    {
      title: 'Import a conversation',
      description: 'Turn a Claude Code transcript into a few memories (summary, decisions, fixed errors). Idempotent; secrets are redacted.',
      inputSchema: ImportConversationInput,
      outputSchema: ImportOut,
      annotations: WRITE,
    },
    guarded(async (args) => {
      const r = await importTranscripts(args.path, (memories: ConversationMemory[]) => link.call('conversation.upsert', { memories }), args.project ? { project: args.project } : {});
      return ok(`Imported ${r.files} transcript(s): ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged memories; ${r.secrets_redacted} secret(s) redacted.`, { ...r });
    }),
  );
  server.registerTool(
    'get_memory_access_stats',
    { title: 'Memory access stats', description: 'Calls per session and agent since the daemon started, by method, with first use.', inputSchema: AccessStatsToolInput, outputSchema: AccessOut, annotations: READ },
    guarded(async (args) => {
      const r = await link.call('lifecycle.accessStats', args);
      const lines = Object.entries(r.by_agent).map(([agent, a]) => `- ${agent}: ${a.calls} calls in ${a.sessions} session(s) since ${a.first_at}`);
      return ok(lines.length ? `Access by agent:\n${lines.join('\n')}` : 'No calls recorded.', { ...r });
    }),
  );
  server.registerTool(
    'get_format_guide',
    { title: 'Memory format guide', description: 'How to write memories that are found again.', inputSchema: EmptyInput, outputSchema: GuideOut, annotations: READ },
    () => ok(FORMAT_GUIDE, { guide: FORMAT_GUIDE }),
  );
}

async function defaultExportPath(home: string, subject: z.infer<typeof GdprSubject>): Promise<string> {
  const dir = join(home, 'exports');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const who = `${subject.agent ?? ''}${subject.machine ? `@${subject.machine}` : ''}`.replace(/[^A-Za-z0-9_.@-]+/g, '_');
  return join(dir, `gdpr-${who}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
}

/**
 * The answer of a two-step destructive tool: a dry run says what it found and how to confirm
 * (confirm: true with that count as expected_count); a confirmed call says what it did.
 */
function twoStepResult<R extends { dry_run: boolean }>(r: R, text: { found: string; again: string; count: number; done: () => string }) {
  if (r.dry_run) return ok(`Dry run: ${text.found}To ${text.again} call again with confirm: true, expected_count: ${text.count}.`, { ...r });
  return ok(text.done(), { ...r });
}
