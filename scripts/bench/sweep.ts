/**
 * Cost of the full-feed sweep (the safety net under the per-peer cursors, FULL_SWEEP_INTERVAL_MS):
 * on copies of the synced pair `.bench/sync-pair-N` (made by sync.ts), B runs `mesh.sync
 * { full: true }` against A `--runs` times; wall time of the sweep, CPU seconds of each daemon
 * (from /proc) and the TCP payload bytes on A's port (`ss -ti` counters, both directions).
 *
 *   npm run build && node --import tsx scripts/bench/sweep.ts [--size 100000] [--runs 3]
 */
import '../../src/polyfills.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { TestHost } from '../../test/helpers/meshHosts.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { machine, median, table } from './stats.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } } });
const N = Number(values.size);
const RUNS = Number(values.runs);
const dir = resolve('.bench', `sync-pair-${N}`);
if (!existsSync(join(dir, 'ports.json'))) throw new Error(`${dir} is missing: run sync.ts --sizes ${N} first`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const ports = JSON.parse(readFileSync(join(dir, 'ports.json'), 'utf8')) as { a: number; b: number };
const copy = (sub: string, name: string, port: number) => {
  const home = tmpHome(`mh-sw-${sub}-`);
  if (spawnSync('cp', ['-a', `${join(dir, sub)}/.`, home.dir]).status !== 0) throw new Error('cp failed');
  return new TestHost(name, port, home);
};
/** TCP payload bytes both ways on A's listening port (kernel counters of every established connection). */
const wireOf = (h: TestHost) => {
  const out = spawnSync('ss', ['-tinH', 'state', 'established', `( sport = :${h.port} )`], { encoding: 'utf8' }).stdout;
  let n = 0;
  for (const m of out.matchAll(/bytes_(?:acked|received):(\d+)/g)) n += Number(m[1]);
  return n;
};
/** utime + stime of a daemon, in seconds (clock ticks of 10 ms). */
const cpuOf = (h: TestHost) => {
  const pid = readFileSync(homePaths(h.home.dir).pidFile, 'utf8').trim();
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

console.log(`# full-feed sweep — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${machine()}\n`);
const a = copy('a', 'source', ports.a);
const b = copy('b', 'fresh', ports.b);
await a.start();
await b.start();
const cb = await DaemonClient.connect(homePaths(b.home.dir).socket, { agent: 'bench' });
// Let start-up work (catch-up pulls, model load) finish before measuring.
await cb.call('mesh.sync', {});
await new Promise((r) => setTimeout(r, 5000));
const rows: { ms: number; wall: number; cpuA: number; cpuB: number; wire: number; entries: number; fetched: number; load: string }[] = [];
for (let r = 0; r < RUNS; r++) {
  const [ca0, cb0, w0, l] = [cpuOf(a), cpuOf(b), wireOf(a), load()];
  const t0 = performance.now();
  const { results } = await cb.call('mesh.sync', { full: true }, { timeoutMs: 600_000 });
  const wall = performance.now() - t0;
  const x = results[0]!;
  rows.push({ ms: x.ms, wall, cpuA: cpuOf(a) - ca0, cpuB: cpuOf(b) - cb0, wire: wireOf(a) - w0, entries: x.entries, fetched: x.fetched, load: l });
  process.stderr.write(`[load ${load()}] sweep ${r + 1}: ${x.entries} entries, fetched ${x.fetched}, ${x.ms} ms\n`);
}
cb.close();
await b.dispose();
await a.dispose();
table(
  ['store', 'runs', 'sweep wall s (median)', 'each run (1-min load)', "A's CPU s (serving)", "B's CPU s (sweeping)", 'wire MB', 'feed entries compared', 'documents fetched'],
  [[N, RUNS, (median(rows.map((x) => x.wall)) / 1000).toFixed(2), rows.map((x) => `${(x.wall / 1000).toFixed(2)} (${x.load.split(' ')[0]})`).join(' / '), median(rows.map((x) => x.cpuA)).toFixed(2), median(rows.map((x) => x.cpuB)).toFixed(2), (median(rows.map((x) => x.wire)) / 1e6).toFixed(1), median(rows.map((x) => x.entries)), median(rows.map((x) => x.fetched))]],
);
console.log(`\nLoad average at end: ${load()}.`);
process.exit(0);
