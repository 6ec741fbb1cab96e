import { z } from 'zod';
import { buildBriefing, BriefingInput } from '../briefing/Briefing.js';
import { DEFAULT_PROMPT_CHARS, DEFAULT_PROMPT_MEMORIES, MAX_PROMPT_CHARS, MAX_PROMPT_MEMORIES, MIN_PROMPT_CHARS } from '../briefing/constants.js';
import type { RosterService } from '../domain/RosterService.js';
import type { MemoryService } from '../domain/MemoryService.js';
import type { TaskService } from '../domain/TaskService.js';
import { AccessStats, AccessStatsInput } from '../domain/lifecycle/AccessStats.js';
import { bulkDelete, BulkDeleteInput } from '../domain/lifecycle/bulkDelete.js';
import { upsertConversation, UpsertConversationInput } from '../domain/lifecycle/conversationImport.js';
import { FORMAT_GUIDE } from '../domain/lifecycle/formatGuide.js';
import { gdprDelete, GdprDeleteInput, gdprExportPage, GdprExportPageInput, GdprSubject, subjectTasks } from '../domain/lifecycle/gdpr.js';
import { EmptyInput } from '../domain/memorySchemas.js';
import type { MemoryIndex } from '../search/MemoryIndex.js';
import type { Eraser } from '../domain/Eraser.js';
import { briefingVaultNames } from '../briefing/vaultNames.js';
import type { VaultService } from '../vault/VaultService.js';
import { method, methods } from './method.js';

export interface LifecycleApiDeps {
  memories: MemoryService;
  index: MemoryIndex;
  tasks: TaskService;
  roster: RosterService;
  machine: string;
  access: AccessStats;
  /** Members of the mesh other than this host, and whether they are connected now. */
  hosts: () => { host: string; connected: boolean }[];
  /** The erasure path: a batch of erasures is answered after one after-erase step (the scrub). */
  eraser: Eraser;
  /** The vault service, once replication has started (the briefing names its vaults). */
  vaults: () => Pick<VaultService, 'list' | 'state'> | undefined;
}

const PromptMemoriesInput = z.object({
  prompt: z.string().min(1).max(20_000),
  project: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(MAX_PROMPT_MEMORIES).optional(),
  min_score: z.number().min(0).max(10).optional(),
  budget: z.number().int().min(MIN_PROMPT_CHARS).max(MAX_PROMPT_CHARS).optional(),
});

/** The socket API of the lifecycle group, conversation import and the Claude Code hooks. */
export function buildLifecycleApi(d: LifecycleApiDeps) {
  return methods({
    'conversation.upsert': method(UpsertConversationInput, (p, a) => upsertConversation(d.memories, p, a)),
    'lifecycle.bulkDelete': method(BulkDeleteInput, (p, a) => d.eraser.batch(() => bulkDelete(d, p, a))),
    'lifecycle.cleanupExpired': method(EmptyInput, async (_p, a) => ({ erased: await d.memories.purgeExpired(a) })),
    'gdpr.exportPage': method(GdprExportPageInput, (p) => gdprExportPage(d, p)),
    'gdpr.tasks': method(z.object({ subject: GdprSubject }), (p) => ({ tasks: subjectTasks(d.tasks, p.subject) })),
    'gdpr.delete': method(GdprDeleteInput, (p, a) => d.eraser.batch(() => gdprDelete(d, p, a))),
    'lifecycle.accessStats': method(AccessStatsInput, (p) => d.access.query(p)),
    'lifecycle.formatGuide': method(EmptyInput, () => ({ guide: FORMAT_GUIDE })),
    'hook.briefing': method(BriefingInput, (p) =>
      buildBriefing(
        {
          machine: d.machine,
          memories: d.memories,
          agents: () => d.roster.roster(),
          openTasks: () => d.tasks.list({ limit: 500 }).tasks,
          vaultNames: (project) => briefingVaultNames(d.vaults(), project),
        },
        p,
      ),
    ),
    // Memories for a prompt: only clear matches (fused score: the best keyword match scores about 1).
    'hook.promptMemories': method(PromptMemoriesInput, async (p) => {
      const found = await d.memories.search({ query: p.prompt.slice(0, 2_000), limit: p.limit ?? DEFAULT_PROMPT_MEMORIES, ...(p.project ? { project: p.project } : {}) });
      const min = p.min_score ?? 0.5;
      const budget = p.budget ?? DEFAULT_PROMPT_CHARS;
      const lines: string[] = [];
      let used = 0;
      for (const m of found.results.filter((r) => r.score >= min)) {
        const text = `- [${m.category} · ${m.id.slice(0, 8)}] ${m.content.replace(/\s+/g, ' ').slice(0, 400)}`;
        if (used + text.length > budget) break;
        lines.push(text);
        used += text.length + 1;
      }
      return { text: lines.length ? `Memories related to this prompt (hivemesh):\n${lines.join('\n')}` : '', count: lines.length };
    }),
  });
}
