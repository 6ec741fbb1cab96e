/**
 * Replication benchmark (issue 4) on real daemons over loopback:
 * - live replication A→B: a store on A until B can read it (3 runs x 100 writes, polled every 2 ms);
 * - initial sync of N memories to an empty peer, until all N are searchable there;
 * - reconnect after 1,000 changes (500 new, 500 edits) made while B was down: time, and the TCP
 *   bytes both ways on the A–B connection (from `ss -ti`), against the Automerge change bytes.
 *
 *   node --import tsx scripts/bench/replication.ts [--n 10000] [--source-home .bench/home100k]
 */
import '../../src/polyfills.js';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as A from '@automerge/automerge';
import { initHome } from '../../src/daemon/initHome.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { freePort, joinMesh, TestHost } from '../../test/helpers/meshHosts.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { until } from './poll.js';
import { dirBytes, machine, median, mib, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '10000' }, 'source-home': { type: 'string' } } });
const N = Number(values.n);

async function client(host: TestHost): Promise<DaemonClient> {
  return DaemonClient.connect(homePaths(host.home.dir).socket, { agent: 'bench' });
}

async function populate(home: string, n: number): Promise<void> {
  await initHome(home, { name: 'source' });
  const stack = await openStack(home);
  const rand = mulberry32(5);
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < n) await stack.memories.store(syntheticMemory(rand, next++), ACTOR);
  }));
  await stack.close();
}

/** Bytes sent and received on established TCP connections touching `port`, from the kernel. */
function tcpBytes(port: number): number {
  const r = spawnSync('ss', ['-tinH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  let total = 0;
  for (const m of r.stdout.matchAll(/bytes_(?:acked|received):(\d+)/g)) total += Number(m[1]);
  return total;
}

console.log(`# replication — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);

// 1. Live replication.
{
  const a = await TestHost.create('live-a');
  const b = await TestHost.create('live-b');
  await a.start();
  await joinMesh(a, b);
  const ca = await client(a);
  const cb = await client(b);
  const runs: number[][] = [];
  for (let r = 0; r < 3; r++) {
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      const { id } = await ca.call('memory.store', { content: `live ${r}-${i}` });
      await until(() => cb.call('memory.retrieve', { memory_id: id }).then(() => true), 10_000);
      times.push(performance.now() - t0);
    }
    runs.push(times);
  }
  ca.close();
  cb.close();
  await a.dispose();
  await b.dispose();
  const p50 = median(runs.map((t) => percentile(t, 50)));
  table(['measure', 'p50 ms', 'p95 ms', 'vs 100 ms target'], [['live replication A→B (store on A until B reads it)', p50.toFixed(1), median(runs.map((t) => percentile(t, 95))).toFixed(1), `${(p50 / 100).toFixed(2)}×`]]);
}

// 2. Initial sync to an empty peer, then 3. reconnect after 1,000 changes.
{
  const sourceHome = values['source-home'] ? resolve(values['source-home']) : tmpHome('bench-src-').dir;
  if (!existsSync(homePaths(sourceHome).db)) await populate(sourceHome, N);
  const a = new TestHost('source', await freePort(), { dir: sourceHome, cleanup: () => (values['source-home'] ? undefined : rmSync(sourceHome, { recursive: true, force: true })) });
  const b = await TestHost.create('fresh');
  await a.start();
  const ca = await client(a);
  const total = (await ca.call('memory.stats', {})).total;
  const { token } = await ca.call('mesh.invite', {});
  await b.cli(['join', token]);
  const t0 = performance.now();
  await b.start();
  let cb = await client(b);
  await until(async () => (await cb.call('memory.stats', {})).total >= total, 30 * 60_000, 200);
  const initialMs = performance.now() - t0;
  table(['measure', 'memories', 'seconds', 'memories/s', 'B store + index MiB', 'vs 60 s target (100k)'], [['initial sync to an empty peer (until all are searchable)', total, (initialMs / 1000).toFixed(1), Math.round(total / (initialMs / 1000)), mib(dirBytes(b.home.dir)), total >= 100_000 ? `${(initialMs / 60_000).toFixed(2)}×` : 'n/a']]);

  // Reconnect: B goes down, A makes 1,000 changes, B comes back.
  cb.close();
  await b.stop();
  const recent = await ca.call('memory.recent', { hours: 24 * 365, limit: 500 });
  const rand = mulberry32(77);
  for (let i = 0; i < 500; i++) await ca.call('memory.store', syntheticMemory(rand, 1_000_000 + i));
  for (const [i, m] of recent.results.entries()) await ca.call('memory.update', { memory_id: m.id, content: `edited while the peer was away, change ${i}` });
  const marker = await ca.call('memory.store', { content: 'reconnect marker' });
  const before = tcpBytes(a.port);
  const r0 = performance.now();
  await b.start();
  cb = await client(b);
  await until(() => cb.call('memory.retrieve', { memory_id: marker.id }).then(() => true), 120_000, 5);
  await until(async () => (await cb.call('memory.stats', {})).total === (await ca.call('memory.stats', {})).total, 120_000, 20);
  const reconnectMs = performance.now() - r0;
  const wire = tcpBytes(a.port) - before;
  // Automerge bytes of the same kinds of change, measured directly: a new memory document and a text edit.
  const doc = A.from({ content: 'x' });
  const created = A.getAllChanges(A.change(A.init<Record<string, unknown>>(), (d) => Object.assign(d, syntheticMemory(rand, 1), { id: crypto.randomUUID() }))).reduce((n, c) => n + c.byteLength, 0);
  const edit = A.getChanges(doc, A.change(doc, (d) => A.updateText(d, ['content'], 'edited while the peer was away, change 123'))).reduce((n, c) => n + c.byteLength, 0);
  const changeBytes = 500 * created + 500 * edit;
  table(['measure', 'seconds', 'TCP bytes (both ways)', 'Automerge change bytes (est.)', 'wire / changes', 'vs 2 s target'], [['reconnect after 1,000 changes', (reconnectMs / 1000).toFixed(2), wire, changeBytes, `${(wire / changeBytes).toFixed(2)}×`, `${(reconnectMs / 2000).toFixed(2)}×`]]);
  console.log(`\n(store of ${total} memories; change sizes measured: new memory ${created} B, text edit ${edit} B; TCP bytes from ss -ti on A's port include Noise/Yamux framing and the reconnect handshake; 0 means ss was unavailable.)`);
  ca.close();
  cb.close();
  await a.stop();
  a.home.cleanup();
  await b.dispose();
}
