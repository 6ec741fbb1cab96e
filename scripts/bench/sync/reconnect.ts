/** Phase 3 of the sync benchmark: reconnect after 1,000 changes (restart measure; the link measure is in link.ts). */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import { homePaths } from '../../../src/home.js';
import type { DaemonClient } from '../../../src/ipc/DaemonClient.js';
import { silentLogger } from '../../../src/log.js';
import { DocStore } from '../../../src/store/DocStore.js';
import { freePort, type TestHost } from '../../../test/helpers/meshHosts.js';
import { mulberry32, syntheticMemory } from '../corpus.js';
import { median } from '../stats.js';
import { linkRuns } from './link.js';
import { countingProxy } from '../syncProxy.js';
import { BENCH, client, fmt, load, log, out, RECONNECT_RUNS, SKIP, sleep, startOpts, tableTo, until } from './setup.js';

/** 500 stores and 500 text edits of `recent` (interleaved) through A's socket. */
export async function makeChanges(ca: DaemonClient, recent: string[], seed: number): Promise<{ created: string[]; edited: Map<string, string> }> {
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
export async function caughtUp(cb: DaemonClient, changes: { created: string[]; edited: Map<string, string> }, recent: string[], totalA: number): Promise<void> {
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
export async function missingOn(cb: DaemonClient, changes: { created: string[]; edited: Map<string, string> }): Promise<number> {
  let missing = 0;
  for (const id of changes.created) await cb.call('memory.retrieve', { memory_id: id }).catch(() => missing++);
  for (const [id, text] of changes.edited) if ((await cb.call('memory.retrieve', { memory_id: id })).content !== text) missing++;
  return missing;
}

export const established = (ports: number[]) =>
  spawnSync('ss', ['-tnH', 'state', 'established', `( ${ports.map((p) => `dport = :${p}`).join(' or ')} )`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;

export interface ReconnectRun {
  ms: number;
  startMs: number;
  wire: number;
  changeBytes: number;
  missing: number;
  load: string;
  note: string;
}

/** Restart measure: B stopped, 1,000 changes on A, B restarted; from spawning B until B has them all. */
export async function restartOnce(a: TestHost, b: TestHost, run: number): Promise<ReconnectRun> {
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

export async function reconnect(a: TestHost, b: TestHost, n: number): Promise<void> {
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
