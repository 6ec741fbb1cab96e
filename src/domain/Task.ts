import type * as A from '@automerge/automerge';
import { z } from 'zod';
import { resolveAssignee, resolveStatus, type FieldConflict } from './taskConflicts.js';
import { oneOf, TASK_PRIORITIES, TASK_STATUSES, type Claim, type TaskDoc, type TaskStatus } from './TaskDoc.js';

const ClaimView = z.object({ agent: z.string().max(200), at: z.string(), machine: z.string().max(200), by: z.string().max(200) });
const TransitionView = z.object({
  at: z.string(),
  agent: z.string().max(200),
  machine: z.string().max(200),
  action: z.string().max(40),
  from: z.string().max(200).nullable().optional(),
  to: z.string().max(200).nullable().optional(),
  note: z.string().max(2_000).optional(),
});

/** A task as stored beside its document: every field resolved by the conflict rules, the same on every host. */
export const TaskViewSchema = z.object({
  id: z.string().max(128),
  title: z.string().max(400),
  description: z.string(),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(TASK_PRIORITIES),
  assignee: z.string().max(200).nullable(),
  claim: ClaimView.nullable(),
  required_capabilities: z.array(z.string().max(64)).max(256),
  dependencies: z.array(z.string().max(128)).max(256),
  progress: z.number(),
  project: z.string().max(200),
  comments: z.array(z.object({ at: z.string(), agent: z.string().max(200), machine: z.string().max(200), text: z.string() })),
  history: z.array(TransitionView),
  conflicts: z.array(z.object({ field: z.string(), rule: z.string(), winner: z.unknown(), losers: z.array(z.unknown()) })),
  machine: z.string().max(200),
  created_by: z.string().max(200),
  created_at: z.string(),
  updated_at: z.string(),
  updated_by: z.string().max(200),
  format_version: z.number(),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

/** A task as tools show it: the stored view plus what depends on other tasks (computed on read). */
export interface TaskOut extends Omit<TaskView, 'status'> {
  /** `blocked` while a dependency is not done, else the workflow status. */
  status: TaskStatus;
  /** The status agents set, before dependency blocking is applied. */
  workflow_status: TaskStatus;
  /** Dependencies not done yet. */
  blocked_by: string[];
}

const iso = (t: number) => new Date(t).toISOString();

function claimView(c: Claim | null): TaskView['claim'] {
  return c ? { agent: String(c.agent), at: iso(c.at), machine: String(c.machine), by: String(c.by) } : null;
}

/**
 * The view of a task document. Concurrent writes of `status` and `assignee` are resolved by the
 * domain rules (taskConflicts.ts), not by Automerge's arbitrary-but-deterministic pick, and the
 * losing values are listed in `conflicts` so the agents involved can react.
 */
export function toTaskView(doc: A.Doc<TaskDoc>): TaskView {
  const status = resolveStatus(doc);
  const assignee = resolveAssignee(doc);
  const conflicts: FieldConflict[] = [status.conflict, assignee.conflict].filter((c): c is FieldConflict => c !== undefined);
  const history = [...doc.history]
    .map((h) => ({
      at: iso(h.at),
      agent: String(h.agent),
      machine: String(h.machine),
      action: String(h.action),
      ...(h.from !== undefined ? { from: h.from === null ? null : String(h.from) } : {}),
      ...(h.to !== undefined ? { to: h.to === null ? null : String(h.to) } : {}),
      ...(h.note !== undefined ? { note: String(h.note) } : {}),
    }));
  // Causal order, not time order: entries are appended to an Automerge list, whose order puts each
  // entry after every entry its writer had seen, the same on every host. The `at` times are the
  // writers' clocks' claims: sorting by them put a move made on a host whose clock is behind
  // before the task's creation (#20).
  return {
    id: String(doc.id),
    title: String(doc.title),
    description: String(doc.description),
    status: status.value,
    priority: oneOf(TASK_PRIORITIES, doc.priority, 'medium'),
    assignee: assignee.value?.agent ?? null,
    claim: claimView(assignee.value),
    required_capabilities: [...doc.required_capabilities].map(String),
    dependencies: [...doc.dependencies].map(String),
    progress: Number(doc.progress),
    project: String(doc.project),
    // Causal (list) order, like the history.
    comments: [...doc.comments].map((c) => ({ at: iso(c.at), agent: String(c.agent), machine: String(c.machine), text: String(c.text) })),
    history,
    conflicts: conflicts.map((c) => ({ ...c, winner: toJson(c.winner), losers: c.losers.map(toJson) })),
    machine: String(doc.machine),
    created_by: String(doc.created_by),
    created_at: iso(doc.created_at),
    updated_at: iso(doc.updated_at),
    updated_by: String(doc.updated_by),
    format_version: doc.v,
  };
}

function toJson(value: unknown): unknown {
  if (value && typeof value === 'object' && 'at' in value && typeof (value as Claim).at === 'number') return claimView(value as Claim);
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
