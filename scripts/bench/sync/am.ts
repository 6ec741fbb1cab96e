/** Phase 4 of the sync benchmark: automerge-repo 2.5.6 side by side (initial sync; live replication on the first size). */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Repo, type AnyDocumentId, type DocHandle } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { freePort } from '../../../test/helpers/meshHosts.js';
import { tmpHome } from '../../../test/helpers/tmpHome.js';
import type { MemoryDoc } from '../amRepoPeer.js';
import { dirBytes, median, mib, percentile, table } from '../stats.js';
import { AM_TIMEOUT_MS, fmt, LIVE, load, log, RUNS, sleep, summary } from './setup.js';

export async function amRepo(n: number, liveToo: boolean): Promise<void> {
  const dir = tmpHome('am-srv-');
  const port = await freePort();
  const child = fork(join(import.meta.dirname, '..', 'amRepoPeer.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

