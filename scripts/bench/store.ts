/**
 * Store granularity benchmark (issue 2): one Automerge document per memory (what hivemesh ships)
 * against memories sharded into larger documents, at 10k and 100k memories.
 * Measures write throughput, bytes on disk, cold start until the first search is served (a real
 * `mesh daemon` process), resident memory, and what loading every document would cost.
 *
 *   node --import tsx scripts/bench/store.ts [--sizes 10000,100000] [--runs 3] [--shards 64]
 */
import '../../src/polyfills.js';
import * as A from '@automerge/automerge';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { parseArgs } from 'node:util';
import { initHome } from '../../src/daemon/initHome.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { mulberry32, syntheticMemory, type SyntheticMemory } from './corpus.js';
import { timeToFirstSearch } from './firstSearch.js';
import { dirBytes, machine, median, mib, table } from './stats.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10000,100000' }, runs: { type: 'string', default: '3' }, shards: { type: 'string', default: '64' } } });
const SIZES = values.sizes.split(',').map(Number);
const RUNS = Number(values.runs);
const SHARDS = Number(values.shards);
const CONCURRENCY = 32;
const MESH_BIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

function corpus(n: number): SyntheticMemory[] {
  const rand = mulberry32(42);
  return Array.from({ length: n }, (_, i) => syntheticMemory(rand, i));
}

/** (a) One document per memory, through the real DocStore + MemoryService (group commit, sync writes). */
async function writePerDoc(home: string, items: SyntheticMemory[]): Promise<number> {
  await initHome(home, { name: 'bench' });
  const stack = await openStack(home);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await stack.memories.store(item, ACTOR);
      }
    }),
  );
  const ms = performance.now() - t0;
  await stack.close();
  return ms;
}

/** Cold start of a real daemon process: spawn until the first search is answered; RSS then. */
async function coldStart(home: string): Promise<{ ms: number; rss: number }> {
  const { ms, rss } = await timeToFirstSearch(MESH_BIN, home);
  return { ms, rss };
}

/** What loading every per-memory document would cost (the design we avoid at start). */
async function loadAllPerDoc(home: string): Promise<number> {
  const db = new ClassicLevel<string, Uint8Array>(join(home, 'db'), { valueEncoding: 'view' });
  await db.open();
  const docs = db.sublevel<string, Uint8Array>('d', { valueEncoding: 'view' });
  const t0 = performance.now();
  for await (const [, bytes] of docs.iterator()) A.load(bytes);
  const ms = performance.now() - t0;
  await db.close();
  return ms;
}

/** (b) Sharded: memories hashed into SHARDS map documents; each change appended as an incremental chunk. */
async function writeSharded(dir: string, items: SyntheticMemory[]): Promise<{ writeMs: number; loadMs: number }> {
  const db = new ClassicLevel<string, Uint8Array>(join(dir, 'db'), { valueEncoding: 'view' });
  await db.open();
  const shards = Array.from({ length: SHARDS }, () => A.init<Record<string, unknown>>());
  const chunkSeq = new Array<number>(SHARDS).fill(0);
  const t0 = performance.now();
  for (let start = 0; start < items.length; start += CONCURRENCY) {
    // One synced batch per CONCURRENCY writes, as group commit would produce under the same load.
    const batch = db.batch();
    for (let i = start; i < Math.min(items.length, start + CONCURRENCY); i++) {
      const item = items[i]!;
      const id = crypto.randomUUID();
      const s = parseInt(id.slice(0, 8), 16) % SHARDS;
      const now = Date.now();
      shards[s] = A.change(shards[s]!, (d) => {
        d[id] = { ...item, id, machine: 'bench', agent: 'bench', created_at: now, updated_at: now, deleted: false };
      });
      batch.put(`s/${s}/${String(chunkSeq[s]!++).padStart(8, '0')}`, A.saveIncremental(shards[s]));
      batch.put(`v/${id}`, new TextEncoder().encode(JSON.stringify(item)));
    }
    await batch.write({ sync: true });
  }
  const writeMs = performance.now() - t0;
  await db.compactRange('\x00', '\xff');
  const l0 = performance.now();
  for (let s = 0; s < SHARDS; s++) {
    const chunks: Uint8Array[] = [];
    for await (const [, bytes] of db.iterator({ gte: `s/${s}/`, lt: `s/${s}0` })) chunks.push(bytes);
    A.load(Buffer.concat(chunks));
  }
  const loadMs = performance.now() - l0;
  await db.close();
  return { writeMs, loadMs };
}

async function main(): Promise<void> {
  console.log(`# store granularity benchmark — ${new Date().toISOString().slice(0, 10)} — ${machine()}`);
  console.log(`runs: ${RUNS} (median reported), writers in flight: ${CONCURRENCY}, shards: ${SHARDS}\n`);
  const rows: (string | number)[][] = [];
  for (const n of SIZES) {
    const items = corpus(n);
    const perDocWrites: number[] = [];
    const shardWrites: number[] = [];
    const shardLoads: number[] = [];
    let perDocHome = '';
    let perDocBytes = 0;
    let shardBytes = 0;
    const writeRuns = n >= 100_000 ? 1 : RUNS;
    for (let r = 0; r < writeRuns; r++) {
      if (perDocHome) rmSync(perDocHome, { recursive: true, force: true });
      perDocHome = mkdtempSync('/tmp/bench-a-');
      perDocWrites.push(await writePerDoc(perDocHome, items));
      perDocBytes = dirBytes(join(perDocHome, 'db'));
      const shardDir = mkdtempSync('/tmp/bench-b-');
      const s = await writeSharded(shardDir, items);
      shardWrites.push(s.writeMs);
      shardLoads.push(s.loadMs);
      shardBytes = dirBytes(join(shardDir, 'db'));
      rmSync(shardDir, { recursive: true, force: true });
      process.stderr.write(`n=${n} run ${r + 1}/${writeRuns} written\n`);
    }
    const indexBytes = dirBytes(join(perDocHome, 'index'));
    const colds: { ms: number; rss: number }[] = [];
    for (let r = 0; r < RUNS; r++) colds.push(await coldStart(perDocHome));
    const loadAll = await loadAllPerDoc(perDocHome);
    rmSync(join(perDocHome, 'index'), { recursive: true, force: true });
    const rebuild = await coldStart(perDocHome);
    rmSync(perDocHome, { recursive: true, force: true });

    const perDocRate = n / (median(perDocWrites) / 1000);
    const shardRate = n / (median(shardWrites) / 1000);
    rows.push([n, '(a) doc per memory', Math.round(perDocRate), mib(perDocBytes), `${mib(indexBytes)} (index)`, Math.round(median(colds.map((c) => c.ms))), mib(median(colds.map((c) => c.rss))), Math.round(loadAll), Math.round(rebuild.ms)]);
    rows.push([n, `(b) ${SHARDS} shards`, `${Math.round(shardRate)} (${(shardRate / perDocRate).toFixed(2)}×)`, `${mib(shardBytes)} (${(shardBytes / perDocBytes).toFixed(2)}×)`, '', '', '', Math.round(median(shardLoads)), '']);
  }
  table(['memories', 'layout', 'writes/s', 'store MiB', 'other MiB', 'cold start ms (snapshot)', 'RSS MiB', 'load all docs ms', 'cold start ms (no snapshot, rebuild)'], rows);
}

await main();
