import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskService } from '../../../src/domain/TaskService.js';
import { silentLogger } from '../../../src/log.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { ACTOR, bareEraser } from '../../helpers/memoryStack.js';
import { useTempStore } from '../../helpers/tempStore.js';

describe('the kanban board on a real store', () => {
  // The restart test closes the fixture's store and reopens the same database in its own DocStore.
  const temp = useTempStore({ actorId: 'cc'.repeat(16) });
  let tasks: TaskService;
  let clock = Date.parse('2026-12-01T08:00:00Z');
  const agents = new Set(['worker-1', 'worker-2']);

  beforeEach(async () => {
    const store = temp.store;
    tasks = new TaskService({ store, logger: silentLogger(), actorId: 'cc'.repeat(16), agentExists: (id) => agents.has(id), eraser: bareEraser(store), now: () => clock });
    await tasks.start();
  });
  afterEach(() => {
    tasks.stop();
  });

  it('blocks a task until its dependencies are done, and refuses to start it early unless forced', async () => {
    const build = await tasks.create({ title: 'build image' }, ACTOR);
    const deploy = await tasks.create({ title: 'deploy', dependencies: [build.id] }, ACTOR);
    expect(deploy).toMatchObject({ status: 'blocked', workflow_status: 'todo', blocked_by: [build.id] });
    await expect(tasks.update({ task_id: deploy.id, status: 'in_progress' }, ACTOR)).rejects.toMatchObject({ code: 'TASK_BLOCKED', details: { blocked_by: [build.id] } });
    // Comments and other edits are fine while blocked.
    await tasks.update({ task_id: deploy.id, comment: 'waiting on the image' }, ACTOR);
    await tasks.update({ task_id: build.id, status: 'done' }, ACTOR);
    expect(await tasks.get(deploy.id)).toMatchObject({ status: 'todo', blocked_by: [] });
    const started = await tasks.update({ task_id: deploy.id, status: 'in_progress' }, ACTOR);
    expect(started.history.map((h) => h.action)).toEqual(['create', 'comment', 'status']);

    const other = await tasks.create({ title: 'other', dependencies: [deploy.id] }, ACTOR);
    const forced = await tasks.update({ task_id: other.id, status: 'in_progress', force: true }, ACTOR);
    expect(forced.history.at(-1)).toMatchObject({ action: 'status', from: 'todo', to: 'in_progress', note: 'forced past unfinished dependencies' });
  });

  it('refuses dependency cycles, self-dependencies and unknown dependencies, naming them', async () => {
    const a = await tasks.create({ title: 'a' }, ACTOR);
    const b = await tasks.create({ title: 'b', dependencies: [a.id] }, ACTOR);
    const c = await tasks.create({ title: 'c', dependencies: [b.id] }, ACTOR);
    await expect(tasks.update({ task_id: a.id, dependencies: [c.id] }, ACTOR)).rejects.toMatchObject({ code: 'DEPENDENCY_CYCLE', details: { cycle: [a.id, c.id, b.id, a.id] } });
    await expect(tasks.update({ task_id: a.id, dependencies: [a.id] }, ACTOR)).rejects.toMatchObject({ code: 'DEPENDENCY_CYCLE' });
    await expect(tasks.create({ title: 'd', dependencies: ['no-such-task'] }, ACTOR)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'dependency task no-such-task not found' });
  });

  it('refuses to delete a task others depend on unless forced, then removes the dependency from them', async () => {
    const a = await tasks.create({ title: 'a' }, ACTOR);
    const b = await tasks.create({ title: 'b', dependencies: [a.id] }, ACTOR);
    await expect(tasks.delete({ task_id: a.id }, ACTOR)).rejects.toMatchObject({ code: 'HAS_DEPENDENTS', details: { dependents: [b.id] } });
    expect(await tasks.delete({ task_id: a.id, force: true }, ACTOR)).toEqual({ id: a.id, deleted: true, dependencies_removed_from: [b.id] });
    expect(await tasks.get(b.id)).toMatchObject({ dependencies: [], status: 'todo' });
    await expect(tasks.get(a.id)).rejects.toMatchObject({ code: 'ERASED' });
    await expect(tasks.update({ task_id: 'nope', status: 'done' }, ACTOR)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('assigns only known agents, lets a registered caller claim, and keeps closed tasks closed', async () => {
    const t = await tasks.create({ title: 'triage alerts' }, ACTOR);
    await expect(tasks.assign({ task_id: t.id, agent_id: 'stranger' }, undefined, ACTOR)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'agent stranger not found' });
    await expect(tasks.assign({ task_id: t.id }, undefined, ACTOR)).rejects.toMatchObject({ code: 'NOT_REGISTERED' });
    const claimed = await tasks.assign({ task_id: t.id }, 'worker-1', { ...ACTOR, agent: 'worker-1' });
    expect(claimed).toMatchObject({ assignee: 'worker-1', claim: { agent: 'worker-1', by: 'worker-1', machine: ACTOR.machine } });
    expect(tasks.openTasksOf('worker-1')).toBe(1);
    await tasks.update({ task_id: t.id, status: 'done' }, ACTOR);
    expect(tasks.openTasksOf('worker-1')).toBe(0);
    await expect(tasks.assign({ task_id: t.id, agent_id: 'worker-2' }, undefined, ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('survives a restart: the board is rebuilt from the stored views', async () => {
    const t = await tasks.create({ title: 'persisted', required_capabilities: ['Postgres'] }, ACTOR);
    tasks.stop();
    await temp.store.close();
    const reopened = new DocStore(join(temp.home.dir, 'db'), silentLogger(), 'cc'.repeat(16));
    await reopened.open();
    try {
      tasks = new TaskService({ store: reopened, logger: silentLogger(), actorId: 'cc'.repeat(16), agentExists: () => true, eraser: bareEraser(reopened) });
      await tasks.start();
      expect(tasks.list({ capability: 'postgres' }).tasks.map((x) => x.id)).toEqual([t.id]);
    } finally {
      tasks.stop();
      await reopened.close();
    }
  });

  it('reports throughput, cycle time, lead time and load per agent over a window', async () => {
    const hour = 3_600_000;
    clock = Date.parse('2026-12-01T08:00:00Z');
    const t1 = await tasks.create({ title: 'one', assignee: 'worker-1' }, ACTOR);
    const t2 = await tasks.create({ title: 'two', assignee: 'worker-2' }, ACTOR);
    await tasks.create({ title: 'three', assignee: 'worker-1' }, ACTOR);
    clock += hour;
    await tasks.update({ task_id: t1.id, status: 'in_progress' }, ACTOR);
    await tasks.update({ task_id: t2.id, status: 'in_progress' }, ACTOR);
    clock += 2 * hour;
    await tasks.update({ task_id: t1.id, status: 'done' }, ACTOR);
    clock += 4 * hour;
    await tasks.update({ task_id: t2.id, status: 'done' }, ACTOR);
    const a = tasks.analytics({ window_hours: 24 });
    expect(a).toMatchObject({ total: 3, created: 3, completed: 2, throughput_per_day: 2 });
    expect(a.by_status).toMatchObject({ done: 2, todo: 1 });
    expect(a.cycle_time_hours).toEqual({ median: 4, mean: 4, p90: 6, n: 2 });
    expect(a.lead_time_hours).toMatchObject({ median: 5, n: 2 });
    expect(a.load_per_agent).toEqual([
      { agent: 'worker-1', open: 1, in_progress: 0, completed: 1 },
      { agent: 'worker-2', open: 0, in_progress: 0, completed: 1 },
    ]);
    // A window that ends before the work was done counts none of it.
    clock += 48 * hour;
    expect(tasks.analytics({ window_hours: 24 })).toMatchObject({ completed: 0, cycle_time_hours: null });
  });
});
