/** Phase 1 of the sync benchmark: live replication A→B (store and update until B reads them). */
import { joinMesh, TestHost } from '../../../test/helpers/meshHosts.js';
import { mulberry32, syntheticMemory } from '../corpus.js';
import { median, percentile, table } from '../stats.js';
import { client, LIVE, load, log, RUNS, summary, until } from './setup.js';

export async function liveReplication(): Promise<void> {
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
