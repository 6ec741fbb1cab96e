import * as A from '@automerge/automerge';
import { oneOf, TASK_STATUSES, type Claim, type TaskDoc, type TaskStatus } from './TaskDoc.js';

/**
 * The domain rules for fields two hosts may write while apart. Automerge keeps every concurrent
 * value of a field (getConflicts) and picks one by actor order, which is deterministic but says
 * nothing about the work. These rules pick the outcome instead; every host holds the same merged
 * document, so every host computes the same answer. A later write of the field (made after seeing
 * the merge) replaces all the values, and with them the conflict; the history keeps both moves.
 */
export interface FieldConflict {
  field: 'status' | 'assignee';
  rule: string;
  winner: unknown;
  losers: unknown[];
}

/**
 * Status: the move furthest along the workflow wins, because work reported as further along is
 * the more informative claim (an agent that finished should not be undone by one that started).
 * Cancelled beats everything but done: work that was done stays done.
 */
export const STATUS_PRECEDENCE: Record<TaskStatus, number> = { todo: 0, blocked: 1, in_progress: 2, review: 3, cancelled: 4, done: 5 };
export const STATUS_RULE = 'the status furthest along the workflow wins (todo < blocked < in_progress < review < cancelled < done)';

/** Claims: the earliest claim wins (first come, first served); equal times fall to the smaller agent id. A claim beats a concurrent unassignment. */
export const ASSIGNEE_RULE = 'the earliest claim wins; a claim beats a concurrent unassignment; equal times go to the smaller agent id';

function conflictValues<T>(doc: A.Doc<TaskDoc>, field: keyof TaskDoc): T[] | undefined {
  const conflicts = A.getConflicts(doc, field);
  if (!conflicts) return undefined;
  const values = Object.values(conflicts) as T[];
  return values.length > 1 ? values : undefined;
}

export function resolveStatus(doc: A.Doc<TaskDoc>): { value: TaskStatus; conflict?: FieldConflict } {
  const values = conflictValues<unknown>(doc, 'status')?.map((v) => oneOf(TASK_STATUSES, v, 'todo'));
  if (!values) return { value: oneOf(TASK_STATUSES, doc.status, 'todo') };
  const ranked = [...values].sort((a, b) => STATUS_PRECEDENCE[b] - STATUS_PRECEDENCE[a] || (a < b ? -1 : a > b ? 1 : 0));
  const winner = ranked[0]!;
  const losers = ranked.slice(1).filter((s) => s !== winner);
  return { value: winner, ...(losers.length ? { conflict: { field: 'status', rule: STATUS_RULE, winner, losers } } : {}) };
}

export function resolveAssignee(doc: A.Doc<TaskDoc>): { value: Claim | null; conflict?: FieldConflict } {
  const values = conflictValues<Claim | null>(doc, 'assignee');
  if (!values) return { value: plainClaim(doc.assignee) };
  const claims = values.filter((v): v is Claim => v !== null).map((c) => plainClaim(c)!);
  if (claims.length === 0) return { value: null };
  claims.sort((a, b) => a.at - b.at || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  const winner = claims[0]!;
  const losers = claims.slice(1).filter((c) => c.agent !== winner.agent);
  return { value: winner, ...(losers.length ? { conflict: { field: 'assignee', rule: ASSIGNEE_RULE, winner, losers } } : {}) };
}

function plainClaim(c: Claim | null | undefined): Claim | null {
  return c ? { agent: String(c.agent), at: Number(c.at), machine: String(c.machine), by: String(c.by) } : null;
}
