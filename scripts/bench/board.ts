/**
 * Board benchmark (issue 5) on real daemons over loopback:
 * 1. a board update reaching another host: create a card on A until B can read it, and move a
 *    card on A (progress k) until B shows progress k; `--runs` runs of `--n` each, p50/p95, median
 *    of the runs;
 * 2. the cost of liveness: `--beats` heartbeats of one agent through the real roster (one
 *    Automerge change each), then the agent document's saved size, the bytes one beat puts on
 *    the wire, and the time to load the document — what a day-long session costs.
 *
 *   npm run build && node --import tsx scripts/bench/board.ts [--n 100] [--runs 3] [--beats 2880]
 */
import '../../src/polyfills.js';
import { parseArgs } from 'node:util';
import * as A from '@automerge/automerge';
import { defaultCapabilityGroups } from '../../src/config/capabilityGroups.js';
import { RosterService } from '../../src/domain/RosterService.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { silentLogger } from '../../src/log.js';
import type { CommitEvent } from '../../src/store/types.js';
import { joinMesh, TestHost } from '../../test/helpers/meshHosts.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { until } from './poll.js';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' }, beats: { type: 'string', default: '2880' } } });
const N = Number(values.n);
const RUNS = Number(values.runs);
const BEATS = Number(values.beats);

console.log(`# board — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);

// 1. A board update reaching another host.
{
  const a = await TestHost.create('board-a');
  const b = await TestHost.create('board-b');
  await a.start();
  await joinMesh(a, b);
  const ca = await DaemonClient.connect(homePaths(a.home.dir).socket, { agent: 'bench' });
  const cb = await DaemonClient.connect(homePaths(b.home.dir).socket, { agent: 'bench' });
  const creates: number[][] = [];
  const moves: number[][] = [];
  for (let r = 0; r < RUNS; r++) {
    const c: number[] = [];
    const m: number[] = [];
    for (let i = 0; i < N; i++) {
      let t0 = performance.now();
      const { id } = await ca.call<{ id: string }>('task.create', { title: `card ${r}-${i}`, priority: 'high' });
      await until(() => cb.call('task.get', { task_id: id }).then(() => true), 10_000);
      c.push(performance.now() - t0);
      t0 = performance.now();
      await ca.call('task.update', { task_id: id, status: 'in_progress', progress: (i % 99) + 1 });
      await until(() => cb.call<{ progress: number }>('task.get', { task_id: id }).then((t) => t.progress === (i % 99) + 1), 10_000);
      m.push(performance.now() - t0);
    }
    creates.push(c);
    moves.push(m);
  }
  ca.close();
  cb.close();
  await a.dispose();
  await b.dispose();
  const row = (what: string, runs: number[][]) => {
    const p50 = median(runs.map((t) => percentile(t, 50)));
    return [what, p50.toFixed(1), median(runs.map((t) => percentile(t, 95))).toFixed(1), runs.map((t) => percentile(t, 50).toFixed(1)).join(' / ')];
  };
  table(['board update A→B (until B reads it)', 'p50 ms', 'p95 ms', 'p50 per run'], [row('create_kanban_task', creates), row('update_kanban_task (move + progress)', moves)]);
  console.log();
}

// 2. What liveness costs: heartbeats through the real roster on a real store.
{
  const home = tmpHome('bench-beats-');
  const stack = await openStack(home.dir);
  let beats = 0;
  let beatBytes = 0;
  const unsubscribe = stack.store.onCommit((e: CommitEvent) => {
    if (e.collection !== 'agents') return;
    beats++;
    beatBytes = (e.changes ?? []).reduce((n, ch) => n + ch.byteLength, 0);
  });
  const roster = new RosterService({
    store: stack.store,
    memories: stack.memories,
    logger: silentLogger(),
    actorId: 'aa'.repeat(16),
    machine: 'bench-host',
    groups: defaultCapabilityGroups(),
    heartbeatMs: 1,
    thresholds: { offlineAfterMs: 90_000, idleAfterMs: 600_000 },
    openTasks: () => 0,
    forgetAfterMs: 7 * 86_400_000,
    signTombstone: (_c, _id, tomb) => Promise.resolve(tomb),
  });
  await roster.start();
  const t0 = performance.now();
  const agent = await roster.register({ role: 'bench', capabilities: ['a', 'b'] }, { session: 's1', agentId: undefined, client: 'bench' }, ACTOR);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (beats >= BEATS) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const wallS = (performance.now() - t0) / 1000;
  unsubscribe();
  await roster.stop();
  const bytes = (await stack.store.rawDoc('agents', agent.id))!;
  const loads: number[] = [];
  for (let i = 0; i < 5; i++) {
    const l0 = performance.now();
    A.load(bytes);
    loads.push(performance.now() - l0);
  }
  table(
    ['heartbeats of one agent', 'saved doc bytes', 'bytes per beat on disk', 'change bytes per beat (wire)', 'load ms (median of 5)', 'beats/s through the store'],
    [[beats, bytes.byteLength, (bytes.byteLength / beats).toFixed(1), beatBytes, median(loads).toFixed(1), Math.round(beats / wallS)]],
  );
  console.log(`\n(${beats} beats = ${((beats * 30) / 3600).toFixed(1)} h of a session at the default 30 s heartbeat.)`);
  await stack.close();
  home.cleanup();
}
