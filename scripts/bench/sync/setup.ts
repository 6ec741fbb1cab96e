/** Shared setup of the sync benchmark (`scripts/bench/sync.ts`): flags, logging, daemon clients, cached source homes, the summary the phases fill. */
import '../../../src/polyfills.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hostAuthorship } from '../../../src/authorship/hostAuthorship.js';
import { initHome } from '../../../src/daemon/initHome.js';
import { homePaths } from '../../../src/home.js';
import { DaemonClient } from '../../../src/ipc/DaemonClient.js';
import { freePort, TestHost } from '../../../test/helpers/meshHosts.js';
import { ACTOR, openStack } from '../../../test/helpers/memoryStack.js';
import { tmpHome } from '../../../test/helpers/tmpHome.js';
import { mulberry32, syntheticMemory } from '../corpus.js';

export const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    runs: { type: 'string', default: '3' },
    live: { type: 'string', default: '200' },
    'am-max': { type: 'string', default: '100000' },
    'am-timeout': { type: 'string', default: '600' },
    'reconnect-runs': { type: 'string', default: '3' },
    skip: { type: 'string', default: '' },
    profile: { type: 'string' },
    /** Hivemesh results from an earlier run, for the ratios when only `am` runs: live-store=27.1,live-update=32.9,initial-10000=42610 (ms). */
    ref: { type: 'string', default: '' },
  },
});
export const SIZES = values.sizes.split(',').map(Number);
export const RUNS = Number(values.runs);
export const LIVE = Number(values.live);
export const AM_MAX = Number(values['am-max']);
export const AM_TIMEOUT_MS = Number(values['am-timeout']) * 1000;
/** Runs of each reconnect measure (restart, link) on the same pair of hosts after the initial sync. */
export const RECONNECT_RUNS = Number(values['reconnect-runs']);
export const SKIP = new Set(values.skip.split(',').filter(Boolean));
export const BENCH = resolve('.bench');
/** `--profile DIR`: the daemons of phases 2 and 3 write V8 CPU profiles there (read them with cpuprofile.ts). */
export const PROFILE = values.profile ? resolve(values.profile) : undefined;
// Node 20 refuses --cpu-prof in NODE_OPTIONS, so a preloaded hook runs the inspector's profiler instead
// (same-thread inspector sessions answer synchronously, so the profile can be written on exit).
export const CPU_HOOK = `import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
export const dir = process.env.BENCH_CPU_PROF_DIR;
export const s = new Session();
s.connect();
s.post('Profiler.enable');
s.post('Profiler.setSamplingInterval', { interval: 1000 });
s.post('Profiler.start');
process.on('exit', () => s.post('Profiler.stop', (err, res) => {
  if (err) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(dir + '/' + process.pid + '.cpuprofile', JSON.stringify(res.profile));
}));
`;
if (PROFILE) {
  mkdirSync(PROFILE, { recursive: true });
  writeFileSync(join(PROFILE, 'cpu-hook.mjs'), CPU_HOOK);
}
export const startOpts = (name: string) => (PROFILE ? { env: { NODE_OPTIONS: `--import ${join(PROFILE, 'cpu-hook.mjs')}`, BENCH_CPU_PROF_DIR: join(PROFILE, name) } } : {});
mkdirSync(BENCH, { recursive: true });

export const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
export const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)} load ${load()}] ${s}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const fmt = (ms: number) => (ms / 1000).toFixed(2);

export async function client(host: TestHost): Promise<DaemonClient> {
  return DaemonClient.connect(homePaths(host.home.dir).socket, { agent: 'bench' });
}

export async function until<T>(check: () => Promise<T | false | undefined>, timeoutMs: number, intervalMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---------- source homes ----------

export async function sourceHome(n: number): Promise<string> {
  // Signed by the source host, as every write is since signed authorship (issue 19): older unsigned caches are not reused.
  const own = join(BENCH, `sync-src-${n}-signed`);
  if (existsSync(homePaths(own).db)) return own;
  log(`populating ${own} with ${n} memories`);
  const { identity } = await initHome(own, { name: 'source' });
  const stack = await openStack(own, { author: hostAuthorship(identity) });
  const rand = mulberry32(5);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) await stack.memories.store(syntheticMemory(rand, next++), ACTOR);
    }),
  );
  await stack.close();
  // Build the vector index once, so a source daemon does not embed everything during a measurement.
  const host = new TestHost('warm', await freePort(), { dir: own, cleanup: () => undefined });
  await host.start();
  const c = await client(host);
  await until(async () => {
    const m = await c.call('daemon.model', {});
    return m.loaded && !m.rebuilding && m.queued === 0 && (m.vectors ?? 0) >= n;
  }, 30 * 60_000, 1000, 'the source vector index');
  c.close();
  await host.stop();
  return own;
}

/** A copy of the source home on a new port, so each run starts from the same state. */
export async function sourceHost(n: number): Promise<TestHost> {
  const src = await sourceHome(n);
  const home = tmpHome('mh-src-');
  const r = spawnSync('cp', ['-a', `${src}/.`, home.dir]);
  if (r.status !== 0) throw new Error(`cp failed: ${r.stderr.toString()}`);
  spawnSync('rm', ['-f', join(home.dir, 'daemon.sock'), join(home.dir, 'daemon.pid')]);
  return new TestHost('source', await freePort(), home);
}

export const summary: { live?: { store: number; update: number }; initial: Map<number, number>; am: { live?: number; initial: Map<number, number> } } = { initial: new Map(), am: { initial: new Map() } };

for (const kv of values.ref.split(',').filter(Boolean)) {
  const [k, v] = kv.split('=') as [string, string];
  if (k === 'live-store') summary.live = { store: Number(v), update: summary.live?.update ?? NaN };
  else if (k === 'live-update') summary.live = { store: summary.live?.store ?? NaN, update: Number(v) };
  else if (k.startsWith('initial-')) summary.initial.set(Number(k.slice(8)), Number(v));
}

export const deferred: string[] = [];
export const out = (s = '') => deferred.push(s);

export function tableTo(print: (s: string) => void, headers: string[], rows: (string | number)[][]): void {
  print(`| ${headers.join(' | ')} |`);
  print(`|${headers.map(() => '---').join('|')}|`);
  for (const r of rows) print(`| ${r.join(' | ')} |`);
}
