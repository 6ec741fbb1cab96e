/**
 * Cost of the heads digest (issue 18): building it from the feed at start, its memory, keeping it
 * at each commit, and one anti-entropy comparison between two hosts holding the same N documents
 * (nothing differs: one 256-byte exchange) and with one document differing (tops, leaves, entries,
 * then the fetch). Real stores and engines, in one process over in-memory stream pairs, so the
 * figures are the engine's own cost without TCP. Times are CPU time of the process (user + system,
 * both hosts' sides), which a loaded machine inflates far less than wall time; wall time beside.
 *
 *   node --import tsx scripts/bench/digest.ts [--sizes 10000,100000] [--runs 9]
 */
import '../../src/polyfills.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as A from '@automerge/automerge';
import { toMemory, type MemoryDoc } from '../../src/domain/Memory.js';
import { silentLogger } from '../../src/log.js';
import { DocStore } from '../../src/store/DocStore.js';
import { HeadsDigest } from '../../src/sync/HeadsDigest.js';
import { SyncEngine } from '../../src/sync/SyncEngine.js';
import { MemoryNetwork } from '../../test/helpers/memoryTransport.js';
import { StaticMembership } from '../../test/helpers/staticMembership.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { machine, median, table } from './stats.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10000,100000' }, runs: { type: 'string', default: '9' } } });
const SIZES = values.sizes.split(',').map(Number);
const RUNS = Number(values.runs);

function memoryDoc(id: string, content: string, actor: string): A.Doc<MemoryDoc> {
  const now = Date.parse('2026-12-01T08:00:00Z');
  const fields: MemoryDoc = { v: 1, id, content, category: 'project', tags: [], context: '', project: 'bench', scope: 'mesh', metadata: {}, machine: 'bench', agent: 'bench', created_at: now, updated_at: now, updated_by: 'bench', deleted: false, deleted_at: null, deleted_reason: null };
  return A.from(fields as unknown as Record<string, unknown>, { actor }) as unknown as A.Doc<MemoryDoc>;
}

async function host(net: MemoryNetwork, peer: string, members: string[]) {
  const home = tmpHome('mh-digest-');
  const actor = Buffer.from(peer.padEnd(16, '-')).toString('hex').slice(0, 32);
  const store = new DocStore(join(home.dir, 'db'), silentLogger(), actor);
  await store.open();
  const membership = new StaticMembership(members);
  const engine = new SyncEngine({ store, membership, transport: net.transport(peer), logger: silentLogger(), canShare: (s) => s !== 'private', onRemoteErase: () => undefined, timer: false });
  return { store, engine, home, actor };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1_000;
};
const rows: (string | number)[][] = [];
const keep: HeadsDigest[] = [];
for (const n of SIZES) {
  const net = new MemoryNetwork();
  const a = await host(net, 'bench-a', ['bench-a', 'bench-b']);
  const b = await host(net, 'bench-b', ['bench-a', 'bench-b']);
  // The same N documents on both hosts (one saved document's bytes under N ids: the digest reads ids and heads only).
  const template = memoryDoc('template', 'x'.repeat(200), a.actor);
  const bytes = A.save(template);
  const heads = A.getHeads(template);
  const view = toMemory(template);
  for (let i = 0; i < n; i += 1_000) {
    const ids = Array.from({ length: Math.min(1_000, n - i) }, (_, j) => `doc-${i + j}`);
    await Promise.all([a, b].flatMap((h) => ids.map((id) => h.store.importDoc('memories', id, bytes, view, heads, 'mesh', 'bench'))));
  }

  // Building from the feed, as the engine does after start.
  const builds: number[] = [];
  let heap = 0;
  for (let r = 0; r < 3; r++) {
    keep.length = 0;
    global.gc?.();
    const t0 = cpuMs();
    const digest = new HeadsDigest();
    for (let since = 0; ; ) {
      const page = await a.store.feedSince(since, 5_000);
      for (const e of page.entries) digest.record(e.collection, e.id, e.scope, e.heads);
      since = page.last;
      if (!page.more) break;
    }
    builds.push(cpuMs() - t0);
    keep.push(digest);

    if (digest.size < n) throw new Error('digest incomplete');
  }
  // Memory, for memory ids as they are (UUIDs): the feed-built one above holds short bench ids.
  keep.length = 0;
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const sized = new HeadsDigest();
  for (let i = 0; i < n; i++) sized.record('memories', crypto.randomUUID(), 'mesh', heads);
  global.gc?.();
  heap = process.memoryUsage().heapUsed - heapBefore;
  keep.push(sized);
  // Per commit: replacing a document's hash.
  const d = new HeadsDigest();
  for (let i = 0; i < n; i++) d.record('memories', `doc-${i}`, 'mesh', heads);
  const other = [heads[0]!.replace(/^./, 'f')];
  const t1 = cpuMs();
  for (let i = 0; i < n; i++) d.record('memories', `doc-${i}`, 'mesh', other);
  const perCommitUs = ((cpuMs() - t1) / n) * 1_000;

  await a.engine.start();
  await b.engine.start();
  net.connect('bench-a', 'bench-b');
  await b.engine.pull('bench-a');
  await a.engine.pull('bench-b');
  const equal: number[] = [];
  const equalWall: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = cpuMs();
    const w0 = performance.now();
    const res = await b.engine.heal('bench-a');
    equal.push(cpuMs() - t0);
    equalWall.push(performance.now() - w0);
    if (res.leaves !== 0) throw new Error(`digests differ at rest: ${JSON.stringify(res)}`);
  }
  const one: number[] = [];
  const oneWall: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const id = `extra-${r}`;
    const doc = memoryDoc(id, `written on a only ${r}`, a.actor);
    await a.store.mutate<MemoryDoc>('memories', id, () => ({ doc, view: toMemory(doc), scope: 'mesh' }));
    const t0 = cpuMs();
    const w0 = performance.now();
    const res = await b.engine.heal('bench-a');
    one.push(cpuMs() - t0);
    oneWall.push(performance.now() - w0);
    if (res.fetched !== 1) throw new Error(`expected one fetch: ${JSON.stringify(res)}`);
  }
  rows.push([n, median(builds).toFixed(0), (heap / 1024 / 1024).toFixed(1), perCommitUs.toFixed(2), `${median(equal).toFixed(2)} (${median(equalWall).toFixed(1)})`, `${median(one).toFixed(1)} (${median(oneWall).toFixed(1)})`]);
  for (const h of [a, b]) {
    await h.engine.stop();
    await h.store.close();
    h.home.cleanup();
  }
}
console.log(`\nheads digest cost, ${machine()}, ${new Date().toISOString().slice(0, 10)}, runs ${RUNS} (median)\n`);
table(['documents', 'build from feed, CPU ms', 'digest heap (MiB)', 'per commit, CPU µs', 'round, nothing differs: CPU ms (wall)', 'round, one document differs and is fetched: CPU ms (wall)'], rows);
