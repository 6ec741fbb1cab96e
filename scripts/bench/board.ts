/**
 * Board benchmark (issue 5) on real daemons over loopback:
 * 1. a board update reaching another host: create a card on A until B can read it, and move a
 *    card on A (progress k) until B shows progress k; `--runs` runs of `--n` each, p50/p95, median
 *    of the runs;
 * 2. the cost of liveness: see scripts/bench/heartbeats.ts (heartbeats left the documents, #20).
 *
 *   npm run build && node --import tsx scripts/bench/board.ts [--n 100] [--runs 3]
 */
import '../../src/polyfills.js';
import { parseArgs } from 'node:util';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { joinMesh, TestHost } from '../../test/helpers/meshHosts.js';
import { until } from './poll.js';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' } } });
const N = Number(values.n);
const RUNS = Number(values.runs);

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
      const { id } = await ca.call('task.create', { title: `card ${r}-${i}`, priority: 'high' });
      await until(() => cb.call('task.get', { task_id: id }).then(() => true), 10_000);
      c.push(performance.now() - t0);
      t0 = performance.now();
      await ca.call('task.update', { task_id: id, status: 'in_progress', progress: (i % 99) + 1 });
      await until(() => cb.call('task.get', { task_id: id }).then((t) => t.progress === (i % 99) + 1), 10_000);
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

// 2. The cost of liveness moved to scripts/bench/heartbeats.ts (issue #20): heartbeats are no
// longer document changes, so they are measured on three real daemons instead.
