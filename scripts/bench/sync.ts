/**
 * Sync benchmark on real daemons over loopback, side by side with automerge-repo 2.5.6:
 * 1. live replication A→B: a store (and an update) on A until B can read it; p50/p95 over
 *    `--live` writes, `--runs` runs; automerge-repo: a change on the server until the client
 *    handle emits 'change';
 * 2. initial sync of N memories (`--sizes`) to an empty peer, timed from B's process start until
 *    B's catalog holds all N and a keyword search for the last-written memory's ticket answers;
 *    automerge-repo: a fresh client Repo `find`s all N document ids (passed out of band);
 * 3. reconnect after 1,000 changes (500 stores + 500 updates, interleaved) on the largest store,
 *    `--reconnect-runs` times each, two ways:
 *    - restart: B stopped while A changes; time from B's process start until B has every change,
 *      and the TCP payload bytes both ways, counted by byte-counting relays (`syncProxy.ts`)
 *      standing on the ports each host knows the other by (both hosts restart on new ports, so
 *      every A–B connection crosses a relay), against the Automerge bytes of those changes
 *      computed on A afterwards;
 *    - link (the laptop that wakes up): both daemons keep running, reachable only through relays
 *      (`--announce`); the relays are cut while A changes, then restored; time from restoring the
 *      link until B has every change.
 *
 *   npm run build && node --import tsx scripts/bench/sync.ts [--sizes 10000,100000] [--runs 3]
 *     [--live 200] [--am-max 100000] [--am-timeout 600] [--reconnect-runs 3]
 *     [--skip live,initial,reconnect,link,am,vectors] [--profile DIR]
 *
 * Source homes (pre-populated with corpus.ts memories and a caught-up vector index) are cached in
 * `.bench/sync-src-N-signed` (written under the source host's key, so the receiver verifies signed changes)
 * and copied for every run, so runs never change them.
 */
import '../../src/polyfills.js';
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as A from '@automerge/automerge';
import { Repo, type AnyDocumentId, type DocHandle } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { hostAuthorship } from '../../src/authorship/hostAuthorship.js';
import { initHome } from '../../src/daemon/initHome.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { silentLogger } from '../../src/log.js';
import { DocStore } from '../../src/store/DocStore.js';
import { freePort, joinMesh, TestHost } from '../../test/helpers/meshHosts.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import type { MemoryDoc } from './amRepoPeer.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { dirBytes, machine, median, mib, percentile, table } from './stats.js';
import { countingProxy } from './syncProxy.js';

const { values } = parseArgs({
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
const SIZES = values.sizes.split(',').map(Number);
const RUNS = Number(values.runs);
const LIVE = Number(values.live);
const AM_MAX = Number(values['am-max']);
const AM_TIMEOUT_MS = Number(values['am-timeout']) * 1000;
/** Runs of each reconnect measure (restart, link) on the same pair of hosts after the initial sync. */
const RECONNECT_RUNS = Number(values['reconnect-runs']);
const SKIP = new Set(values.skip.split(',').filter(Boolean));
const BENCH = resolve('.bench');
/** `--profile DIR`: the daemons of phases 2 and 3 write V8 CPU profiles there (read them with cpuprofile.ts). */
const PROFILE = values.profile ? resolve(values.profile) : undefined;
// Node 20 refuses --cpu-prof in NODE_OPTIONS, so a preloaded hook runs the inspector's profiler instead
// (same-thread inspector sessions answer synchronously, so the profile can be written on exit).
const CPU_HOOK = `import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
const dir = process.env.BENCH_CPU_PROF_DIR;
const s = new Session();
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
const startOpts = (name: string) => (PROFILE ? { env: { NODE_OPTIONS: `--import ${join(PROFILE, 'cpu-hook.mjs')}`, BENCH_CPU_PROF_DIR: join(PROFILE, name) } } : {});
mkdirSync(BENCH, { recursive: true });

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)} load ${load()}] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (ms: number) => (ms / 1000).toFixed(2);

async function client(host: TestHost): Promise<DaemonClient> {
  return DaemonClient.connect(homePaths(host.home.dir).socket, { agent: 'bench' });
}

async function until<T>(check: () => Promise<T | false | undefined>, timeoutMs: number, intervalMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// ---------- source homes ----------

async function sourceHome(n: number): Promise<string> {
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
async function sourceHost(n: number): Promise<TestHost> {
  const src = await sourceHome(n);
  const home = tmpHome('mh-src-');
  const r = spawnSync('cp', ['-a', `${src}/.`, home.dir]);
  if (r.status !== 0) throw new Error(`cp failed: ${r.stderr.toString()}`);
  spawnSync('rm', ['-f', join(home.dir, 'daemon.sock'), join(home.dir, 'daemon.pid')]);
  return new TestHost('source', await freePort(), home);
}

console.log(`# sync — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${machine()}\n`);
console.log(`Load average at start (1/5/15 min): ${load()}. Daemons run from dist/ on 127.0.0.1 (TCP + Noise + Yamux in the pnet).\n`);

const summary: { live?: { store: number; update: number }; initial: Map<number, number>; am: { live?: number; initial: Map<number, number> } } = { initial: new Map(), am: { initial: new Map() } };

for (const kv of values.ref.split(',').filter(Boolean)) {
  const [k, v] = kv.split('=') as [string, string];
  if (k === 'live-store') summary.live = { store: Number(v), update: summary.live?.update ?? NaN };
  else if (k === 'live-update') summary.live = { store: summary.live?.store ?? NaN, update: Number(v) };
  else if (k.startsWith('initial-')) summary.initial.set(Number(k.slice(8)), Number(v));
}

// ---------- 1. live replication ----------

if (!SKIP.has('live')) {
  log('live replication');
  const a = await TestHost.create('live-a');
  const b = await TestHost.create('live-b');
  await a.start();
  await joinMesh(a, b);
  const ca = await client(a);
  const cb = await client(b);
  const rows: (string | number)[][] = [];
  const storeRuns: { e2e: number[]; ack: number[] }[] = [];
  const updateRuns: number[][] = [];
  // Warm-up: first writes pay for opening streams and caches.
  for (let i = 0; i < 10; i++) {
    const { id } = await ca.call('memory.store', { content: `warm-up ${i}` });
    await until(() => cb.call('memory.retrieve', { memory_id: id }).then(() => true), 10_000, 1, 'warm-up');
  }
  const rand = mulberry32(3);
  for (let r = 0; r < RUNS; r++) {
    const e2e: number[] = [];
    const ack: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < LIVE; i++) {
      const t0 = performance.now();
      const { id } = await ca.call('memory.store', syntheticMemory(rand, r * LIVE + i));
      ack.push(performance.now() - t0);
      await until(() => cb.call('memory.retrieve', { memory_id: id }).then(() => true), 10_000, 1, 'a live write');
      e2e.push(performance.now() - t0);
      ids.push(id);
    }
    storeRuns.push({ e2e, ack });
    const upd: number[] = [];
    for (const [i, id] of ids.entries()) {
      const text = `live update ${r}-${i}: rotated the TLS certificate on proxy-eu${i}`;
      const t0 = performance.now();
      await ca.call('memory.update', { memory_id: id, content: text });
      await until(() => cb.call('memory.retrieve', { memory_id: id }).then((m) => m.content === text), 10_000, 1, 'a live update');
      upd.push(performance.now() - t0);
    }
    updateRuns.push(upd);
    log(`live run ${r + 1}: store p50 ${percentile(e2e, 50).toFixed(1)} ms, update p50 ${percentile(upd, 50).toFixed(1)} ms`);
  }
  ca.close();
  cb.close();
  await a.dispose();
  await b.dispose();
  const p = (xs: number[][], q: number) => median(xs.map((x) => percentile(x, q)));
  const storeP50 = p(storeRuns.map((s) => s.e2e), 50);
  const updP50 = p(updateRuns, 50);
  summary.live = { store: storeP50, update: updP50 };
  rows.push(['hivemesh: `memory.store` on A until B reads it', storeP50.toFixed(1), p(storeRuns.map((s) => s.e2e), 95).toFixed(1), p(storeRuns.map((s) => s.ack), 50).toFixed(1), `${(storeP50 / 100).toFixed(2)}×`]);
  rows.push(['hivemesh: `memory.update` on A until B reads the new content', updP50.toFixed(1), p(updateRuns, 95).toFixed(1), '—', `${(updP50 / 100).toFixed(2)}×`]);
  console.log(`## 1. Live replication A→B (${RUNS} runs × ${LIVE} writes, medians of the runs' percentiles; load ${load()})\n`);
  table(['measure', 'p50 ms', 'p95 ms', 'A ack p50 ms', 'vs 100 ms target'], rows);
  console.log('');
}

// ---------- 2. initial sync (and 3. reconnect on the largest size) ----------

interface InitialResult {
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
function cpuSeconds(host: TestHost): number {
  const pid = readFileSync(homePaths(host.home.dir).pidFile, 'utf8').trim();
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function initialSync(n: number, keep: boolean): Promise<{ result: InitialResult; a?: TestHost; b?: TestHost }> {
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

const deferred: string[] = [];
const out = (s = '') => deferred.push(s);

/** 500 stores and 500 text edits of `recent` (interleaved) through A's socket. */
async function makeChanges(ca: DaemonClient, recent: string[], seed: number): Promise<{ created: string[]; edited: Map<string, string> }> {
  const rand = mulberry32(seed);
  const created: string[] = [];
  const edited = new Map<string, string>();
  for (let i = 0; i < 500; i++) {
    created.push((await ca.call('memory.store', syntheticMemory(rand, 2_000_000 + seed * 1000 + i))).id);
    const id = recent[i]!;
    const text = `edited while the peer was away, change ${seed}-${i}: drained ${id.slice(0, 6)} and rotated keys`;
    await ca.call('memory.update', { memory_id: id, content: text });
    edited.set(id, text);
  }
  return { created, edited };
}

/** Polls B (every 5 ms) until it holds the last new memory, the last edit and A's total. */
async function caughtUp(cb: DaemonClient, changes: { created: string[]; edited: Map<string, string> }, recent: string[], totalA: number): Promise<void> {
  const marker = changes.created[changes.created.length - 1]!;
  const lastEdit = recent[499]!;
  await until(async () => {
    await cb.call('memory.retrieve', { memory_id: marker });
    const m = await cb.call('memory.retrieve', { memory_id: lastEdit });
    if (m.content !== changes.edited.get(lastEdit)) return false;
    return (await cb.call('memory.stats', {})).total === totalA;
  }, 300_000, 5, 'B to catch up');
}

/** Every change made on A, checked on B one by one (not timed). */
async function missingOn(cb: DaemonClient, changes: { created: string[]; edited: Map<string, string> }): Promise<number> {
  let missing = 0;
  for (const id of changes.created) await cb.call('memory.retrieve', { memory_id: id }).catch(() => missing++);
  for (const [id, text] of changes.edited) if ((await cb.call('memory.retrieve', { memory_id: id })).content !== text) missing++;
  return missing;
}

const established = (ports: number[]) =>
  spawnSync('ss', ['-tnH', 'state', 'established', `( ${ports.map((p) => `dport = :${p}`).join(' or ')} )`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;

interface ReconnectRun {
  ms: number;
  startMs: number;
  wire: number;
  changeBytes: number;
  missing: number;
  load: string;
  note: string;
}

/** Restart measure: B stopped, 1,000 changes on A, B restarted; from spawning B until B has them all. */
async function restartOnce(a: TestHost, b: TestHost, run: number): Promise<ReconnectRun> {
  log(`reconnect (restart) run ${run + 1}: B down, 1,000 changes on A`);
  // Both are stopped, in sync, on the ports they know each other by.
  await a.start([], startOpts('reconnect-a'));
  await b.start([], startOpts('reconnect-b'));
  let ca = await client(a);
  const recent = (await ca.call('memory.recent', { hours: 8760, limit: 500 })).results.map((r) => r.id);
  await b.stop();
  // Heads of the documents about to be edited, as B (in sync with A) holds them.
  const bStore = new DocStore(homePaths(b.home.dir).db, silentLogger(), 'bb'.repeat(16));
  await bStore.open();
  const before = await bStore.headsMany(recent.map((id) => ({ collection: 'memories' as const, id })));
  await bStore.close();
  // Both hosts move to new ports; relays take their old ones (the addresses each knows the other by).
  ca.close();
  await a.stop();
  const [oldA, oldB] = [a.port, b.port];
  a.port = await freePort();
  b.port = await freePort();
  await a.start([], startOpts('reconnect-a'));
  ca = await client(a);
  const changes = await makeChanges(ca, recent, 77 + run);
  const totalA = (await ca.call('memory.stats', {})).total;
  const pa = await countingProxy(oldA, a.port);
  const pb = await countingProxy(oldB, b.port);
  await sleep(500);
  log('reconnect: starting B');
  const fromA = a.log.length;
  const fromB = b.log.length;
  const load1 = load();
  const t0 = performance.now();
  await b.start([], startOpts('reconnect-b'));
  const startMs = performance.now() - t0;
  const cb = await client(b);
  await caughtUp(cb, changes, recent, totalA);
  const ms = performance.now() - t0;
  writeFileSync(join(BENCH, `sync-reconnect-a-${run}.log`), a.log.slice(fromA));
  writeFileSync(join(BENCH, `sync-reconnect-b-${run}.log`), b.log.slice(fromB));
  const bytesNow = () => pa.bytes().toTarget + pa.bytes().fromTarget + pb.bytes().toTarget + pb.bytes().fromTarget;
  const wire = bytesNow();
  const dirsAt = `B→A ${pa.bytes().toTarget + pb.bytes().fromTarget} B, A→B ${pa.bytes().fromTarget + pb.bytes().toTarget} B`;
  const conns = pa.bytes().connections + pb.bytes().connections;
  const direct = established([a.port, b.port]);
  const missing = await missingOn(cb, changes);
  await sleep(2000);
  const wireLater = bytesNow();
  ca.close();
  cb.close();
  await b.stop();
  await a.stop();
  await pa.close();
  await pb.close();
  // The Automerge bytes of exactly those changes, from A's store.
  const aStore = new DocStore(homePaths(a.home.dir).db, silentLogger(), 'cc'.repeat(16));
  await aStore.open();
  let newChangeBytes = 0;
  for (const id of changes.created) {
    const doc = (await aStore.load<unknown>('memories', id))!;
    newChangeBytes += A.getAllChanges(doc).reduce((s, c) => s + c.byteLength, 0);
  }
  let editBytes = 0;
  for (const [i, id] of recent.entries()) {
    const doc = (await aStore.load<unknown>('memories', id))!;
    const heads = before[i];
    editBytes += A.getChanges(heads ? A.view(doc, heads) : A.init(), doc).reduce((s, c) => s + c.byteLength, 0);
  }
  await aStore.close();
  const note = `new documents ${newChangeBytes} B + edits ${editBytes} B of changes; ${conns} relayed connection(s), ${direct} established to the real ports (relay legs; more would mean a bypass); ${dirsAt}; ${wireLater - wire} more bytes in the next 2 s; daemon ready after ${fmt(startMs)} s`;
  log(`reconnect (restart) run ${run + 1}: ${fmt(ms)} s (daemon ready ${fmt(startMs)} s), wire ${wire} B, missing ${missing}`);
  return { ms, startMs, wire, changeBytes: newChangeBytes + editBytes, missing, load: load1, note };
}

/**
 * Link measure (the laptop that wakes up): both daemons keep running and reach each other only
 * through relays (each announces its relay's address). The relays are cut (connections destroyed,
 * dials refused) while A makes 1,000 changes, then restored; from restoring until B has them all.
 */
async function linkRuns(a: TestHost, b: TestHost, runs: number, changeBytes: number): Promise<ReconnectRun[]> {
  const [la, lb] = [await freePort(), await freePort()];
  a.port = await freePort();
  b.port = await freePort();
  const pa = await countingProxy(la, a.port);
  const pb = await countingProxy(lb, b.port);
  const relayAddr = (p: number) => `/ip4/127.0.0.1/tcp/${p}`;
  await a.start(['--announce', relayAddr(la), '--peer', relayAddr(lb)], startOpts('link-a'));
  await b.start(['--announce', relayAddr(lb), '--peer', relayAddr(la)], startOpts('link-b'));
  const ca = await client(a);
  const cb = await client(b);
  const linked = async (c: DaemonClient, other: string, relay: number) => (await c.call('mesh.peers', {})).peers.some((p) => p.name === other && p.connected && p.addrs.length > 0 && p.addrs.every((x) => x.includes(`/tcp/${relay}/`)));
  // Each host must have the other's relay address as its only recorded one, or a redial could bypass the cut.
  await until(async () => (await linked(cb, a.name, la)) && (await linked(ca, b.name, lb)), 120_000, 100, 'both hosts to record each other by relay address');
  const results: ReconnectRun[] = [];
  for (let r = 0; r < runs; r++) {
    const recent = (await ca.call('memory.recent', { hours: 8760, limit: 500 })).results.map((x) => x.id);
    await pa.cut();
    await pb.cut();
    const down = async (c: DaemonClient, other: string) => !(await c.call('mesh.peers', {})).peers.some((p) => p.name === other && p.connected);
    await until(async () => (await down(ca, b.name)) && (await down(cb, a.name)), 60_000, 50, 'the link to go down');
    log(`reconnect (link) run ${r + 1}: link cut, 1,000 changes on A`);
    const changes = await makeChanges(ca, recent, 500 + r);
    const totalA = (await ca.call('memory.stats', {})).total;
    const before = pa.bytes().toTarget + pa.bytes().fromTarget + pb.bytes().toTarget + pb.bytes().fromTarget;
    const fromA = a.log.length;
    const fromB = b.log.length;
    const load1 = load();
    const t0 = performance.now();
    await pa.restore();
    await pb.restore();
    await caughtUp(cb, changes, recent, totalA);
    const ms = performance.now() - t0;
    const wire = pa.bytes().toTarget + pa.bytes().fromTarget + pb.bytes().toTarget + pb.bytes().fromTarget - before;
    writeFileSync(join(BENCH, `sync-link-a-${r}.log`), a.log.slice(fromA));
    writeFileSync(join(BENCH, `sync-link-b-${r}.log`), b.log.slice(fromB));
    const direct = established([a.port, b.port]);
    const missing = await missingOn(cb, changes);
    log(`reconnect (link) run ${r + 1}: ${fmt(ms)} s, wire ${wire} B, missing ${missing}`);
    results.push({ ms, startMs: 0, wire, changeBytes, missing, load: load1, note: `${direct} established connection(s) to the real ports at completion (relay legs only)` });
  }
  ca.close();
  cb.close();
  await b.stop();
  await a.stop();
  await pa.close();
  await pb.close();
  return results;
}

async function reconnect(a: TestHost, b: TestHost, n: number): Promise<void> {
  const restart: ReconnectRun[] = [];
  for (let r = 0; r < RECONNECT_RUNS; r++) restart.push(await restartOnce(a, b, r));
  const changeBytes = median(restart.map((x) => x.changeBytes));
  const link = SKIP.has('link') ? [] : await linkRuns(a, b, RECONNECT_RUNS, changeBytes);
  const row = (label: string, xs: ReconnectRun[]) => {
    const ms = median(xs.map((x) => x.ms));
    const wire = median(xs.map((x) => x.wire));
    // Runs differ in change bytes (the first run's edits replace longer texts): the ratio is each run's, then the median.
    const ratio = median(xs.map((x) => x.wire / x.changeBytes));
    return [label, fmt(ms), xs.map((x) => `${fmt(x.ms)} (load ${x.load.split(' ')[0]})`).join(' / '), wire, median(xs.map((x) => x.changeBytes)), `${ratio.toFixed(2)}× (${xs.map((x) => (x.wire / x.changeBytes).toFixed(2)).join(' / ')})`, `${(ms / 2000).toFixed(2)}×`, `${(ratio / 3).toFixed(2)}×`, xs.reduce((m, x) => m + x.missing, 0)];
  };
  out(`## 3. Reconnect after 1,000 changes on a ${n.toLocaleString('en')}-memory store (${RECONNECT_RUNS} runs each, medians; load at end ${load()})\n`);
  tableTo(
    out,
    ['measure', 'seconds (median)', 'each run (1-min load)', 'wire bytes (both ways)', 'Automerge change bytes', 'wire / changes', 'vs 2 s target', 'vs 3× target', 'changes missing'],
    [
      row('**restart**: 500 stores + 500 updates on A while B was stopped; from spawning B', restart),
      ...(link.length ? [row('**link**: both running, link cut while A made them; from restoring the link', link)] : []),
    ],
  );
  out(`\nRestart runs: ${restart.map((x, i) => `run ${i + 1}: ${x.note}`).join('; ')}.`);
  if (link.length) out(`\nLink runs (wire bytes from restoring the link until B had everything; change bytes are the restart runs' median, the same workload): ${link.map((x, i) => `run ${i + 1}: ${x.note}`).join('; ')}.\n`);
}

function tableTo(print: (s: string) => void, headers: string[], rows: (string | number)[][]): void {
  print(`| ${headers.join(' | ')} |`);
  print(`|${headers.map(() => '---').join('|')}|`);
  for (const r of rows) print(`| ${r.join(' | ')} |`);
}

const initialRows: (string | number)[][] = [];
/**
 * A pair of homes just after an initial sync of N (B's vectors caught up), kept in
 * `.bench/sync-pair-N` so reconnect-only runs (`--skip initial`) need not sync 100k again: copies
 * of it are used, never the pair itself.
 */
const pairDir = (n: number) => join(BENCH, `sync-pair-${n}`);
function savePair(a: TestHost, b: TestHost, n: number): void {
  const dir = pairDir(n);
  if (existsSync(join(dir, 'ports.json'))) return;
  mkdirSync(dir, { recursive: true });
  for (const [h, sub] of [[a, 'a'], [b, 'b']] as const) {
    const r = spawnSync('cp', ['-a', `${h.home.dir}/.`, join(dir, sub)]);
    if (r.status !== 0) throw new Error(`cp failed: ${r.stderr.toString()}`);
  }
  writeFileSync(join(dir, 'ports.json'), JSON.stringify({ a: a.port, b: b.port }));
}
function loadPair(n: number): { a: TestHost; b: TestHost } | undefined {
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

for (const line of deferred) console.log(line);

// ---------- 4. automerge-repo 2.5.6 side by side ----------

async function amRepo(n: number, liveToo: boolean): Promise<void> {
  const dir = tmpHome('am-srv-');
  const port = await freePort();
  const child = fork(join(import.meta.dirname, 'amRepoPeer.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((r) => child.once('exit', r));
  const killChild = () => child.kill();
  process.once('exit', killChild);
  const ready = new Promise<{ ids: string[]; populateMs: number; diskBytes: number; missing: number }>((res, rej) => {
    child.once('message', (m) => res(m as { ids: string[]; populateMs: number; diskBytes: number; missing: number }));
    child.once('exit', (code) => rej(new Error(`automerge-repo peer exited ${code}`)));
  });
  child.send({ t: 'populate', n, dir: join(dir.dir, 'store'), port });
  const { ids, populateMs, diskBytes, missing } = await ready;
  log(`automerge-repo: ${n} documents created in ${fmt(populateMs)} s; ${missing} not on the server's disk`);
  const runs = n > 10_000 ? 1 : RUNS;
  const rows: { ms: number; flushMs: number; bytes: number; loaded: number; retries: number }[] = [];
  let handles: DocHandle<MemoryDoc>[] = [];
  let lastRepo: Repo | undefined;
  const clientDirs: { cleanup: () => void }[] = [];
  for (let r = 0; r < runs; r++) {
    const cdir = tmpHome('am-cli-');
    const t0 = performance.now();
    const repo = new Repo({ storage: new NodeFSStorageAdapter(cdir.dir), network: [new WebSocketClientAdapter(`ws://127.0.0.1:${port}`)] });
    handles = new Array<DocHandle<MemoryDoc>>(ids.length);
    let next = 0;
    let loaded = 0;
    let retries = 0;
    const deadline = Date.now() + AM_TIMEOUT_MS;
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (next < ids.length && Date.now() < deadline) {
          const i = next++;
          // A find can end "unavailable" (seen at 10k): counted, not retried (an unavailable handle stays so).
          const handle = await repo.find<MemoryDoc>(ids[i] as AnyDocumentId, { allowableStates: ['ready', 'unavailable'] });
          if (handle.state === 'unavailable') {
            retries++;
            continue;
          }
          handles[i] = handle;
          if (++loaded % 10_000 === 0) log(`automerge-repo client: ${loaded}/${n} ready (${fmt(performance.now() - t0)} s)`);
        }
      }),
    );
    const ms = performance.now() - t0;
    await repo.flush();
    const flushMs = performance.now() - t0;
    rows.push({ ms, flushMs, bytes: dirBytes(cdir.dir), loaded, retries });
    log(`automerge-repo client run ${r + 1}: ${loaded}/${n} ready in ${fmt(ms)} s (${retries} finds answered "unavailable"), on disk after ${fmt(flushMs)} s`);
    if (r < runs - 1 || !liveToo) {
      await repo.shutdown();
      // Throttled saves can still be running after shutdown: delete the directory at the end.
      clientDirs.push(cdir);
    } else {
      lastRepo = repo;
      clientDirs.push(cdir);
    }
  }
  const done = rows.every((x) => x.loaded + x.retries === n);
  const ms = median(rows.map((x) => x.ms));
  if (done) summary.am.initial.set(n, ms);
  console.log(`## 4a. automerge-repo 2.5.6: initial sync of ${n.toLocaleString('en')} documents to an empty client (load ${load()})\n`);
  table(
    ['documents', 'runs', 'finds answered unavailable', 'seconds to all ready (median)', 'each run', 'docs/s', 'seconds until flushed to disk', "client's disk MiB", "server's disk MiB", 'server populate s', 'hivemesh / automerge-repo'],
    [[n, runs, rows.map((x) => x.retries).join(' / '), done ? fmt(ms) : `did not finish in ${AM_TIMEOUT_MS / 1000} s (${median(rows.map((x) => x.loaded))} ready)`, rows.map((x) => fmt(x.ms)).join(' / '), Math.round(median(rows.map((x) => x.loaded)) / (ms / 1000)), fmt(median(rows.map((x) => x.flushMs))), mib(median(rows.map((x) => x.bytes))), mib(diskBytes), fmt(populateMs), done && summary.initial.has(n) ? `${(summary.initial.get(n)! / ms).toFixed(2)}×` : 'n/a']],
  );
  console.log('\nServer: a Repo on NodeFSStorageAdapter + WebSocketServerAdapter (`ws`, 127.0.0.1) in a child process, restarted after populating so documents load from disk on request, not announcing documents (a sync server). Client: a fresh Repo (NodeFSStorageAdapter + WebSocketClientAdapter) in the benchmark process that `find`s all ids (256 in flight); "ready" = every `find` resolved.\n');

  if (liveToo && lastRepo) {
    const ready = handles.filter(Boolean);
    const lat: number[][] = [];
    for (let r = 0; r < RUNS; r++) {
      const times: number[] = [];
      for (let i = 0; i < LIVE; i++) {
        const handle = ready[(r * LIVE + i) % ready.length]!;
        const text = `live change ${r}-${i}`;
        const changed = new Promise<void>((res) => {
          const on = () => {
            if (handle.doc()?.content === text) {
              handle.off('change', on);
              res();
            }
          };
          handle.on('change', on);
        });
        const t0 = performance.now();
        child.send({ t: 'change', id: handle.documentId, text });
        await changed;
        times.push(performance.now() - t0);
      }
      lat.push(times);
    }
    const p50 = median(lat.map((x) => percentile(x, 50)));
    summary.am.live = p50;
    console.log(`## 4b. automerge-repo 2.5.6: live replication server→client (${RUNS} runs × ${LIVE} changes; load ${load()})\n`);
    table(
      ['measure', 'p50 ms', 'p95 ms', 'hivemesh update p50 / automerge-repo p50', 'hivemesh store p50 / automerge-repo p50'],
      [['change a document on the server until the client handle emits `change` with it', p50.toFixed(2), median(lat.map((x) => percentile(x, 95))).toFixed(2), summary.live ? `${(summary.live.update / p50).toFixed(1)}×` : 'n/a', summary.live ? `${(summary.live.store / p50).toFixed(1)}×` : 'n/a']],
    );
    console.log('\nTimed in the client process from sending the change request to the server process (IPC, ~0.1 ms) until the handle emits `change` with the new content.\n');
    await lastRepo.shutdown();
  }
  child.send({ t: 'exit' });
  await exited;
  await sleep(1000);
  dir.cleanup();
  for (const d of clientDirs) d.cleanup();
}

if (!SKIP.has('am')) {
  for (const [k, n] of SIZES.entries()) {
    if (n > AM_MAX) {
      console.log(`automerge-repo at ${n} skipped (--am-max ${AM_MAX}).\n`);
      continue;
    }
    log(`automerge-repo ${n}`);
    await amRepo(n, k === 0);
  }
}
console.log(`Load average at end (1/5/15 min): ${load()}.`);
process.exit(0);
