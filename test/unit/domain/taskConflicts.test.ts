import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { toTaskView } from '../../../src/domain/Task.js';
import type { TaskDoc } from '../../../src/domain/TaskDoc.js';

/** A task document as create_kanban_task makes it, on a host whose Automerge actor is `actor`. */
function baseTask(actor: string): A.Doc<TaskDoc> {
  return A.change(A.init<TaskDoc>({ actor }), (d) => {
    d.v = 1;
    d.id = 't1';
    d.title = 'rotate the es certificates';
    d.description = 'all three nodes';
    d.status = 'todo';
    d.priority = 'medium';
    d.assignee = null;
    d.required_capabilities = [];
    d.dependencies = [];
    d.progress = 0;
    d.project = '';
    d.comments = [];
    d.history = [{ at: 1_000, agent: 'creator', machine: 'm0', action: 'create', to: 'todo' }];
    d.machine = 'm0';
    d.created_by = 'creator';
    d.created_at = 1_000;
    d.updated_at = 1_000;
    d.updated_by = 'creator';
  });
}

type Edit = (d: TaskDoc) => void;
const claim = (agent: string, at: number, machine: string): Edit => (d) => {
  d.assignee = { agent, at, machine, by: agent };
  d.history.push({ at, agent, machine, action: 'assign', from: null, to: agent });
};
const move = (to: TaskDoc['status'], at: number, agent: string): Edit => (d) => {
  d.history.push({ at, agent, machine: 'mx', action: 'status', from: d.status, to });
  d.status = to;
};

/** Two hosts (actors `a` and `b`) edit the same task apart, then each merges the other's document. */
function apart(actorA: string, editA: Edit, actorB: string, editB: Edit) {
  const origin = baseTask('00'.repeat(16));
  const a = A.change(A.clone(origin, { actor: actorA }), editA);
  const b = A.change(A.clone(origin, { actor: actorB }), editB);
  return [toTaskView(A.merge(A.clone(a), b)), toTaskView(A.merge(A.clone(b), a)), toTaskView(A.load(A.save(A.merge(A.clone(a), b))))];
}

describe('task conflict rules', () => {
  // Both actor orders, so the outcome is the rule's and not Automerge's actor-order pick.
  for (const [first, second] of [
    ['aa'.repeat(16), 'ff'.repeat(16)],
    ['ff'.repeat(16), 'aa'.repeat(16)],
  ] as const) {
    it(`the earliest of two concurrent claims wins on every host (claimer actor ${first.slice(0, 2)})`, () => {
      const views = apart(first, claim('agent-early', 5_000, 'laptop'), second, claim('agent-late', 9_000, 'desk'));
      for (const v of views) {
        expect(v.assignee).toBe('agent-early');
        expect(v.conflicts).toEqual([expect.objectContaining({ field: 'assignee', losers: [expect.objectContaining({ agent: 'agent-late', machine: 'desk' })] })]);
        // The losing claim stays visible in the history so its agent can react.
        expect(v.history.filter((h) => h.action === 'assign').map((h) => h.to)).toEqual(['agent-early', 'agent-late']);
      }
      expect(views[1]).toEqual(views[0]);
      expect(views[2]).toEqual(views[0]);
    });

    it(`the status furthest along the workflow wins (mover actor ${first.slice(0, 2)})`, () => {
      const views = apart(first, move('in_progress', 5_000, 'x'), second, move('done', 4_000, 'y'));
      for (const v of views) {
        expect(v.status).toBe('done');
        expect(v.conflicts[0]).toMatchObject({ field: 'status', winner: 'done', losers: ['in_progress'] });
      }
      const cancelVsReview = apart(first, move('cancelled', 5_000, 'x'), second, move('review', 6_000, 'y'));
      for (const v of cancelVsReview) expect(v.status).toBe('cancelled');
    });
  }

  it('equal claim times fall to the smaller agent id; a claim beats a concurrent unassignment', () => {
    for (const v of apart('aa'.repeat(16), claim('zed', 5_000, 'm1'), 'bb'.repeat(16), claim('amy', 5_000, 'm2'))) expect(v.assignee).toBe('amy');
    const release: Edit = (d) => {
      d.assignee = null;
    };
    for (const v of apart('aa'.repeat(16), release, 'bb'.repeat(16), claim('amy', 5_000, 'm2'))) {
      expect(v.assignee).toBe('amy');
      expect(v.conflicts).toEqual([]);
    }
  });

  it('concurrent edits of different fields both survive, and a later write ends the conflict', () => {
    const edit1: Edit = (d) => {
      d.progress = 40;
      A.updateText(d, ['description'], 'all three nodes, then restart kibana');
    };
    const edit2: Edit = (d) => {
      d.priority = 'high';
      d.comments.push({ at: 7_000, agent: 'y', machine: 'm2', text: 'node 2 has the old CA' });
    };
    const [v] = apart('aa'.repeat(16), edit1, 'bb'.repeat(16), edit2);
    expect(v).toMatchObject({ progress: 40, priority: 'high', description: 'all three nodes, then restart kibana', conflicts: [] });
    expect(v!.comments.map((c) => c.text)).toEqual(['node 2 has the old CA']);

    const origin = baseTask('00'.repeat(16));
    const a = A.change(A.clone(origin, { actor: 'aa'.repeat(16) }), claim('p', 5_000, 'm1'));
    const b = A.change(A.clone(origin, { actor: 'bb'.repeat(16) }), claim('q', 6_000, 'm2'));
    const resolved = A.change(A.merge(A.clone(a), b), claim('q', 8_000, 'm2'));
    expect(toTaskView(resolved)).toMatchObject({ assignee: 'q', conflicts: [] });
  });
});
