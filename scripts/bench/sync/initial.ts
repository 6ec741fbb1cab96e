/** Phase 2 of the sync benchmark: initial sync of N memories to an empty peer (then phase 3 on the largest size). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { homePaths } from '../../../src/home.js';
import { TestHost } from '../../../test/helpers/meshHosts.js';
import { tmpHome } from '../../../test/helpers/tmpHome.js';
import { dirBytes, median, mib, table } from '../stats.js';
import { reconnect } from './reconnect.js';
import { BENCH, client, fmt, load, log, RUNS, SIZES, SKIP, sleep, sourceHost, startOpts, summary, until } from './setup.js';

export interface InitialResult {
  ms: number;
  catalogMs: number;
  bytes: number;
  dbBytes: number;
  vectorsMs: number | null;
  /** B's CPU seconds (user + system) when it held all N: less sensitive than wall time to the shared machine's load. */
  cpuS: number;
  /** 1-minute load average when the run ended. */
  load: number;
}

/** User + system CPU seconds a daemon has used so far (Linux /proc; clock ticks at 100 Hz). */
export function cpuSeconds(host: TestHost): number {
  const pid = readFileSync(homePaths(host.home.dir).pidFile, 'utf8').trim();
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function initialSync(n: number, keep: boolean): Promise<{ result: InitialResult; a?: TestHost; b?: TestHost }> {
  const a = await sourceHost(n);
  await a.start([], startOpts('initial-a'));
  const ca = await client(a);
  const total = (await ca.call('memory.stats', {})).total;
  if (total !== n) throw new Error(`source home holds ${total} memories, expected ${n}`);
  const { token } = await ca.call('mesh.invite', {});
  const b = await TestHost.create('fresh');
  const j = await b.cli(['join', token]);
  if (j.code !== 0) throw new Error(j.stderr);
  const late = `OPS-${1000 + n - 1}`;
  await sleep(1000); // let A settle after start (index open, model load) before timing
  const t0 = performance.now();
  await b.start([], startOpts('initial-b'));
  // The daemons' stderr (a crash's stack) lives in memory only: keep a copy on disk while waiting.
  const dump = setInterval(() => {
    writeFileSync(join(BENCH, 'sync-initial-a.log'), a.log);
    writeFileSync(join(BENCH, 'sync-initial-b.log'), b.log);
  }, 5000);
  dump.unref();
  const cb = await client(b);
  // Poll cheaply: `memory.stats` groups the whole catalog (~4 ms at 10k, far more at 100k), so
  // polling it every 100 ms would steal B's CPU. The last-written memory arrives last (feed order),
  // so wait for its token first (an FTS lookup), then confirm the count.
  await until(async () => (await cb.call('memory.search', { query: late, mode: 'keyword', limit: 5 })).results.some((r) => r.content.includes(late)), 60 * 60_000, 100, 'the late token to be searchable');
  const searchMs = performance.now() - t0;
  await until(async () => (await cb.call('memory.stats', {})).total >= n, 60 * 60_000, 250, 'B to hold every memory');
  const ms = performance.now() - t0;
  const cpuS = cpuSeconds(b);
  const catalogMs = searchMs;
  const bytes = dirBytes(b.home.dir);
  const dbBytes = dirBytes(homePaths(b.home.dir).db);
  let vectorsMs: number | null = null;
  if (!SKIP.has('vectors')) try {
    await until(async () => {
      const m = await cb.call('daemon.model', {});
      return m.loaded && !m.rebuilding && m.queued === 0 && (m.vectors ?? 0) >= n;
    }, 180_000, 250, 'B vectors');
    vectorsMs = performance.now() - t0;
  } catch {
    vectorsMs = null;
  }
  clearInterval(dump);
  ca.close();
  cb.close();
  const result = { ms, catalogMs, bytes, dbBytes, vectorsMs, cpuS, load: loadavg()[0]! };
  if (keep) return { result, a, b };
  await a.dispose();
  await b.dispose();
  return { result };
}

export const initialRows: (string | number)[][] = [];
/**
 * A pair of homes just after an initial sync of N (B's vectors caught up), kept in
 * `.bench/sync-pair-N` so reconnect-only runs (`--skip initial`) need not sync 100k again: copies
 * of it are used, never the pair itself.
 */
export const pairDir = (n: number) => join(BENCH, `sync-pair-${n}`);
export function savePair(a: TestHost, b: TestHost, n: number): void {
  const dir = pairDir(n);
  if (existsSync(join(dir, 'ports.json'))) return;
  mkdirSync(dir, { recursive: true });
  for (const [h, sub] of [[a, 'a'], [b, 'b']] as const) {
    const r = spawnSync('cp', ['-a', `${h.home.dir}/.`, join(dir, sub)]);
    if (r.status !== 0) throw new Error(`cp failed: ${r.stderr.toString()}`);
  }
  writeFileSync(join(dir, 'ports.json'), JSON.stringify({ a: a.port, b: b.port }));
}
export function loadPair(n: number): { a: TestHost; b: TestHost } | undefined {
  const dir = pairDir(n);
  if (!existsSync(join(dir, 'ports.json'))) return undefined;
  const ports = JSON.parse(readFileSync(join(dir, 'ports.json'), 'utf8')) as { a: number; b: number };
  const copy = (sub: string, name: string, port: number) => {
    const home = tmpHome(`mh-${sub}-`);
    const r = spawnSync('cp', ['-a', `${join(dir, sub)}/.`, home.dir]);
    if (r.status !== 0) throw new Error(`cp failed: ${r.stderr.toString()}`);
    return new TestHost(name, port, home);
  };
  return { a: copy('a', 'source', ports.a), b: copy('b', 'fresh', ports.b) };
}


/** Every size's initial sync (`--runs` runs, one above 10k), the reconnect phase on the last run of the largest, then the table. */
export async function initialSyncs(): Promise<void> {
  for (const [k, n] of SIZES.entries()) {
    const pair = SKIP.has('initial') && k === SIZES.length - 1 && !SKIP.has('reconnect') ? loadPair(n) : undefined;
    if (pair) {
      log(`reconnect on copies of ${pairDir(n)} (no initial sync)`);
      await reconnect(pair.a, pair.b, n);
      pair.a.home.cleanup();
      pair.b.home.cleanup();
      continue;
    }
    if (SKIP.has('initial') && !(k === SIZES.length - 1 && !SKIP.has('reconnect'))) continue;
    const runs = n > 10_000 ? 1 : RUNS;
    const results: InitialResult[] = [];
    for (let r = 0; r < runs; r++) {
      const last = k === SIZES.length - 1 && r === runs - 1 && !SKIP.has('reconnect');
      log(`initial sync ${n}, run ${r + 1}/${runs}`);
      const out = await initialSync(n, last);
      results.push(out.result);
      log(`initial sync ${n}: ${fmt(out.result.ms)} s, B CPU ${out.result.cpuS.toFixed(1)} s (late token searchable at ${fmt(out.result.catalogMs)} s), vectors ${out.result.vectorsMs === null ? 'not caught up' : fmt(out.result.vectorsMs)} s`);
      if (out.a && out.b) {
        await out.b.stop();
        await out.a.stop();
        if (out.result.vectorsMs !== null) savePair(out.a, out.b, n);
        await reconnect(out.a, out.b, n);
        out.a.home.cleanup();
        out.b.home.cleanup();
      }
    }
    const ms = median(results.map((x) => x.ms));
    summary.initial.set(n, ms);
    const vec = results.map((x) => x.vectorsMs).filter((x): x is number => x !== null);
    initialRows.push([
      n,
      runs,
      fmt(ms),
      results.map((x) => fmt(x.ms)).join(' / '),
      median(results.map((x) => x.cpuS)).toFixed(2),
      results.map((x) => `${x.cpuS.toFixed(1)} (${x.load.toFixed(0)})`).join(' / '),
      Math.round(n / (ms / 1000)),
      mib(median(results.map((x) => x.bytes))),
      mib(median(results.map((x) => x.dbBytes))),
      vec.length ? fmt(median(vec)) : '> 180 s',
      n >= 100_000 ? `${(ms / 60_000).toFixed(2)}×` : `${((ms * (100_000 / n)) / 60_000).toFixed(2)}× (extrapolated)`,
    ]);
  }
  if (initialRows.length && !SKIP.has('initial')) {
    console.log(`## 2. Initial sync to an empty peer, until searchable on B (load ${load()})\n`);
    table(['memories', 'runs', 'seconds (median)', 'each run', "B's CPU s (median)", 'each run (load)', 'memories/s', "B's home MiB", "B's db MiB", 'vectors caught up, s', 'vs 100k ≤ 60 s'], initialRows);
    console.log("\nTimed from spawning B's daemon (joined, empty) until a keyword search on B for the last-written memory's ticket (`OPS-<1000+N-1>`) finds it (polled every 100 ms) and then `memory.stats` total = N (polled every 250 ms). Vectors: until B's HNSW index holds all N (semantic search complete).\n");
  }
}
