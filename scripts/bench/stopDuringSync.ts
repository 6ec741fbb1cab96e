/**
 * `mesh stop` during an initial sync (issue 11): a source host holds N memories; a new host joins
 * and starts its initial sync; once it holds STOP_AT of them, it is stopped. Measured: the daemon's
 * stop (the `daemon.stop` call to process exit), the `mesh stop` command's wall time (node start-up
 * of the CLI included), then the restart's resumption (time until it holds all N). Embedding is off
 * on both hosts (config), so the figure is replication's, not the model's.
 *
 *   npm run build && node --import tsx scripts/bench/stopDuringSync.ts [--size 10000] [--runs 3] [--populate-only]
 */
import '../../src/polyfills.js';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initHome } from '../../src/daemon/initHome.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { freePort, TestHost } from '../../test/helpers/meshHosts.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, table } from './stats.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' }, 'populate-only': { type: 'boolean', default: false } } });
const N = Number(values.size);
const RUNS = Number(values.runs);
const STOP_AT = Math.max(200, Math.floor(N / 10));
const NO_MODEL = JSON.stringify({ embedding: { enabled: false } });
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)} load ${load()}] ${s}\n`);

async function sourceHome(): Promise<string> {
  const dir = resolve('.bench', `stop-src-${N}`);
  if (existsSync(homePaths(dir).db)) return dir;
  log(`populating ${dir} with ${N} memories`);
  await initHome(dir, { name: 'source' });
  writeFileSync(join(dir, 'config.json'), NO_MODEL);
  const stack = await openStack(dir);
  const rand = mulberry32(7);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) await stack.memories.store(syntheticMemory(rand, next++), ACTOR);
    }),
  );
  await stack.close();
  return dir;
}

/** Times (ms) from the daemon's own log lines of its last stop: stopping → sync stopped → stopped. */
function stopPhases(log: string): string {
  const at = (msg: string) => {
    const lines = log.split('\n').filter((l) => l.includes(`"msg":"${msg}"`));
    const last = lines.at(-1);
    return last ? (JSON.parse(last) as { time: number }).time : undefined;
  };
  const [stopping, sync, stopped] = [at('daemon stopping'), at('sync stopped'), at('daemon stopped')];
  if (stopping === undefined || stopped === undefined) return 'n/a';
  return `sync ${sync !== undefined ? sync - stopping : '-'} ms, whole stop ${stopped - stopping} ms`;
}

const total = async (c: DaemonClient) => (await c.call('memory.stats', {})).total;
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const src = await sourceHome();
if (values['populate-only']) process.exit(0);
const rows: (string | number)[][] = [];
const stops: number[] = [];
const clis: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  const aHome = tmpHome('mh-stop-a-');
  spawnSync('cp', ['-a', `${src}/.`, aHome.dir]);
  const a = new TestHost('source', await freePort(), aHome);
  await a.start();
  const b = await TestHost.create('fresh');
  writeFileSync(join(b.home.dir, 'config.json'), NO_MODEL);
  const { token } = await a.json<{ token: string }>(['invite']);
  if ((await b.cli(['join', token])).code !== 0) throw new Error('join failed');
  for (const viaCli of [false, true]) {
    await b.start();
    const cb = await DaemonClient.connect(homePaths(b.home.dir).socket, { agent: 'bench' });
    const before = await total(cb);
    if (before >= N) throw new Error('the sync ended before the stop; use a larger --size');
    await until(async () => (await total(cb)) >= before + STOP_AT, `${STOP_AT} more memories on the new host`);
    const at = await total(cb);
    const t0 = performance.now();
    if (viaCli) {
      const r = await b.cli(['stop']);
      if (r.code !== 0) throw new Error(r.stderr);
      clis.push(performance.now() - t0);
      cb.close();
    } else {
      await cb.call('daemon.stop', {});
      cb.close();
      await b.stop(); // waits for the exit of the process asked to stop above
      stops.push(performance.now() - t0);
    }
    const ms = performance.now() - t0;
    log(`run ${run} ${viaCli ? 'mesh stop' : 'daemon.stop'} at ${at}/${N}: ${ms.toFixed(0)} ms`);
    rows.push([run, viaCli ? '`mesh stop` (CLI)' : 'daemon.stop → exit', `${at}/${N}`, ms.toFixed(0), stopPhases(b.log), loadavg()[0]!.toFixed(0)]);
  }
  // The next start resumes from the cursor and completes.
  const t1 = performance.now();
  await b.start();
  const cb = await DaemonClient.connect(homePaths(b.home.dir).socket, { agent: 'bench' });
  await until(async () => (await total(cb)) >= N, 'the resumed sync to complete');
  cb.close();
  rows.push([run, 'restart → all N held', `${N}/${N}`, (performance.now() - t1).toFixed(0), '', loadavg()[0]!.toFixed(0)]);
  await b.dispose();
  await a.dispose();
}
console.log(`\nstop during an initial sync of ${N} memories, ${machine()}, ${new Date().toISOString().slice(0, 16)} UTC, load ${load()}\n`);
table(['run', 'what', 'held when stopped', 'ms', 'inside the daemon (its log)', 'load'], rows);
console.log(`\nmedian daemon.stop → exit ${median(stops).toFixed(0)} ms; median \`mesh stop\` ${median(clis).toFixed(0)} ms`);
