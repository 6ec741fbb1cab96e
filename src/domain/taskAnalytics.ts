import type { TaskOut } from './Task.js';
import { TASK_STATUSES, type TaskStatus } from './TaskDoc.js';

export interface TaskAnalytics {
  window_hours: number;
  since: string;
  total: number;
  by_status: Record<TaskStatus, number>;
  created: number;
  completed: number;
  throughput_per_day: number;
  /** First move to in_progress (else the claim, else creation) until done, for tasks done in the window. */
  cycle_time_hours: Summary | null;
  /** Creation until done, for tasks done in the window. */
  lead_time_hours: Summary | null;
  load_per_agent: { agent: string; open: number; in_progress: number; completed: number }[];
  /**
   * Cycle and lead times left out because they came out negative: the times of one task's
   * history were stamped by hosts whose clocks disagree (each time is that host's claim).
   */
  durations_skipped_clock_skew: number;
}

interface Summary {
  median: number;
  mean: number;
  p90: number;
  n: number;
}

const OPEN: ReadonlySet<TaskStatus> = new Set(['todo', 'in_progress', 'blocked', 'review']);

/** Board metrics over a window, from the tasks' histories (every host computes the same from the same documents). */
export function taskAnalytics(tasks: readonly TaskOut[], now: number, windowMs: number): TaskAnalytics {
  const since = now - windowMs;
  const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  const cycle: number[] = [];
  const lead: number[] = [];
  const load = new Map<string, { open: number; in_progress: number; completed: number }>();
  const loadOf = (agent: string) => {
    let l = load.get(agent);
    if (!l) load.set(agent, (l = { open: 0, in_progress: 0, completed: 0 }));
    return l;
  };
  let created = 0;
  let completed = 0;
  let skipped = 0;
  // A negative duration is two hosts' clocks disagreeing, not work done in no time: never averaged.
  const push = (into: number[], ms: number) => (ms < 0 ? skipped++ : into.push(ms / 3_600_000));
  for (const t of tasks) {
    byStatus[t.status]++;
    if (Date.parse(t.created_at) >= since) created++;
    if (t.assignee && OPEN.has(t.status)) {
      loadOf(t.assignee).open++;
      if (t.status === 'in_progress') loadOf(t.assignee).in_progress++;
    }
    if (t.status !== 'done') continue;
    const doneAt = lastTransitionTo(t, 'done');
    if (doneAt === undefined || doneAt < since) continue;
    completed++;
    if (t.assignee) loadOf(t.assignee).completed++;
    const createdAt = Date.parse(t.created_at);
    const started = firstTransitionTo(t, 'in_progress') ?? firstAssignment(t) ?? createdAt;
    push(cycle, doneAt - started);
    push(lead, doneAt - createdAt);
  }
  return {
    window_hours: round(windowMs / 3_600_000),
    since: new Date(since).toISOString(),
    total: tasks.length,
    by_status: byStatus,
    created,
    completed,
    throughput_per_day: round(completed / (windowMs / 86_400_000)),
    cycle_time_hours: summarise(cycle),
    lead_time_hours: summarise(lead),
    load_per_agent: [...load.entries()].map(([agent, l]) => ({ agent, ...l })).sort((a, b) => b.open - a.open || (a.agent < b.agent ? -1 : 1)),
    durations_skipped_clock_skew: skipped,
  };
}

function lastTransitionTo(t: TaskOut, status: TaskStatus): number | undefined {
  const hits = t.history.filter((h) => h.action === 'status' && h.to === status);
  return hits.length ? Date.parse(hits[hits.length - 1]!.at) : undefined;
}

function firstTransitionTo(t: TaskOut, status: TaskStatus): number | undefined {
  const hit = t.history.find((h) => h.action === 'status' && h.to === status);
  return hit ? Date.parse(hit.at) : undefined;
}

function firstAssignment(t: TaskOut): number | undefined {
  const hit = t.history.find((h) => h.action === 'assign');
  return hit ? Date.parse(hit.at) : undefined;
}

function summarise(xs: number[]): Summary | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { median: round(median), mean: round(xs.reduce((s, x) => s + x, 0) / xs.length), p90: round(at(0.9)), n: xs.length };
}

function round(x: number): number {
  return Number(x.toFixed(3));
}
