import { z } from 'zod';
import { MeshError } from '../../errors.js';
import type { CatalogFilter, MemoryIndex } from '../../search/MemoryIndex.js';
import type { Actor } from '../../types.js';
import type { Memory } from '../Memory.js';
import type { MemoryService } from '../MemoryService.js';
import type { TaskOut } from '../Task.js';
import type { TaskService } from '../TaskService.js';

/** Memories per export page: one socket frame, well under its limit. */
export const GDPR_PAGE = 200;

/**
 * Whose data: an agent (a person's CLI identity is `mesh-cli:<user>`, a Claude Code session's is
 * its client name or roster id) and/or a machine. Both given: what that agent wrote on that machine.
 */
export const GdprSubject = z
  .object({
    agent: z.string().min(1).max(200).optional().describe('Writer: roster id, client name or mesh-cli:<user>.'),
    machine: z.string().min(1).max(200).optional().describe('Host name.'),
  })
  .refine((s) => s.agent !== undefined || s.machine !== undefined, 'give agent, machine or both');
export type GdprSubject = z.infer<typeof GdprSubject>;

export const GdprExportPageInput = z.object({ subject: GdprSubject, after: z.string().max(64).optional(), limit: z.number().int().min(1).max(GDPR_PAGE).optional() });

export const GdprDeleteInput = z.object({
  subject: GdprSubject,
  confirm: z.boolean().optional().describe('true erases; otherwise a dry run with the counts.'),
  expected_count: z.number().int().min(0).optional().describe('With confirm: memories + tasks the dry run counted.'),
});

export interface GdprDeleteReport {
  dry_run: boolean;
  memories: number;
  tasks: number;
  erased_memories: number;
  erased_tasks: number;
  /** Other hosts: erasure reaches them as signed tombstones, at once when connected, else on reconnect. */
  hosts: { host: string; connected: boolean }[];
  this_host: string;
}

function subjectFilter(s: GdprSubject): CatalogFilter {
  return { agent: s.agent, machine: s.machine, includeDeleted: true };
}

export function subjectTasks(tasks: TaskService, s: GdprSubject): TaskOut[] {
  // Every page of the board: a subject's cards are not only among the first page.
  const all: TaskOut[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = tasks.list({ include_closed: true, limit: 500, offset });
    all.push(...page.tasks);
    offset = page.next_offset;
  }
  return all.filter((t) => (s.agent === undefined || t.created_by === s.agent) && (s.machine === undefined || t.machine === s.machine));
}

/** One page of a subject's memories (soft-deleted ones too), in id order. */
export async function gdprExportPage(deps: { memories: MemoryService; index: MemoryIndex }, input: z.infer<typeof GdprExportPageInput>): Promise<{ memories: Memory[]; next: string | null; total: number }> {
  const filter = subjectFilter(input.subject);
  const limit = input.limit ?? GDPR_PAGE;
  const ids = deps.index.idsAfter(input.after, filter, limit);
  const memories = await Promise.all(ids.map((id) => deps.memories.retrieve(id)));
  return { memories, next: ids.length === limit ? ids[ids.length - 1]! : null, total: deps.index.count(filter) };
}

/**
 * Erases everything a subject wrote: memories (soft-deleted too) and the tasks they created.
 * Like bulk delete it needs `confirm: true` and the count the caller saw.
 */
export async function gdprDelete(
  deps: { memories: MemoryService; index: MemoryIndex; tasks: TaskService; machine: string; hosts: () => { host: string; connected: boolean }[] },
  input: z.infer<typeof GdprDeleteInput>,
  actor: Actor,
): Promise<GdprDeleteReport> {
  const filter = subjectFilter(input.subject);
  const memories = deps.index.count(filter);
  const tasks = subjectTasks(deps.tasks, input.subject);
  const report: GdprDeleteReport = { dry_run: input.confirm !== true, memories, tasks: tasks.length, erased_memories: 0, erased_tasks: 0, hosts: deps.hosts(), this_host: deps.machine };
  if (input.confirm !== true) return report;
  if (input.expected_count !== memories + tasks.length) {
    throw new MeshError('CONFIRMATION_REQUIRED', `the subject has ${memories} memories and ${tasks.length} tasks (${memories + tasks.length}); pass that total as expected_count`, { count: memories + tasks.length });
  }
  for (const id of deps.index.list(filter, memories)) {
    try {
      await deps.memories.erase(id, actor, 'gdpr erasure');
      report.erased_memories++;
    } catch (err) {
      if (!(err instanceof MeshError && ['ERASED', 'NOT_FOUND'].includes(err.code))) throw err;
    }
  }
  for (const task of tasks) {
    try {
      await deps.tasks.delete({ task_id: task.id, force: true, reason: 'gdpr erasure' }, actor);
      report.erased_tasks++;
    } catch (err) {
      if (!(err instanceof MeshError && ['ERASED', 'NOT_FOUND'].includes(err.code))) throw err;
    }
  }
  return report;
}
