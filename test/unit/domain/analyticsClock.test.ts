import { describe, expect, it } from 'vitest';
import type { TaskOut } from '../../../src/domain/Task.js';
import { taskAnalytics } from '../../../src/domain/taskAnalytics.js';

const H = 3_600_000;
const now = Date.parse('2026-12-06T12:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

/** A done task whose moves were stamped by a host `skew` ms off from the creating host. */
function done(id: string, skew: number): TaskOut {
  const created = now - 2 * H;
  return {
    id,
    status: 'done',
    workflow_status: 'done',
    assignee: null,
    created_at: iso(created),
    history: [
      { at: iso(created), agent: 'a', machine: 'host-a', action: 'create', to: 'todo' },
      { at: iso(created + H + skew), agent: 'b', machine: 'host-b', action: 'status', from: 'todo', to: 'in_progress' },
      { at: iso(created + 90 * 60_000 + skew), agent: 'b', machine: 'host-b', action: 'status', from: 'in_progress', to: 'done' },
    ],
  } as unknown as TaskOut;
}

describe('analytics with hosts whose clocks disagree', () => {
  it('never averages a negative duration in; it counts what it left out', () => {
    const a = taskAnalytics([done('ok', 0), done('behind', -24 * H)], now + 24 * H, 72 * H);
    expect(a.lead_time_hours).toMatchObject({ n: 1, mean: 1.5 });
    expect(a.cycle_time_hours).toMatchObject({ n: 2 });
    expect(a.durations_skipped_clock_skew).toBe(1);
  });
});
