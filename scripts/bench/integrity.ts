/**
 * Cost of the integrity checks added for damaged files (issue 10, item 4), at 10k and 100k
 * memories: SQLite's `PRAGMA quick_check` over the keyword index, the SHA-256 of the HNSW file
 * (verified before hnswlib reads it), and the store's read-verify pass (`DocStore.verify`: every
 * LevelDB record, Automerge chunk checksums, views and feed records). All three run after the
 * socket answers (quick_check on a worker thread), so start-up itself does not wait for them. The keyword index is built through the real MemoryIndex
 * from synthetic views (same schema, tokenizer and FTS5 content as a daemon's); the HNSW digest is
 * timed on a file of the size hnswlib writes for that many 256-d vectors (the cost depends on bytes
 * only); the store holds n memories imported as a peer's saved documents (one real document's
 * bytes under n ids, with real views), which is what verify reads.
 *
 *   node --import tsx scripts/bench/integrity.ts [--sizes 10000,100000] [--runs 5]
 */
import '../../src/polyfills.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { Memory } from '../../src/domain/Memory.js';
import { silentLogger } from '../../src/log.js';
import { sha256File } from '../../src/search/fileDigest.js';
import { MemoryIndex } from '../../src/search/MemoryIndex.js';
import { DocStore } from '../../src/store/DocStore.js';
import type { CommitEvent } from '../../src/store/types.js';
import * as A from '@automerge/automerge';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, mib, table } from './stats.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10000,100000' }, runs: { type: 'string', default: '5' } } });
const SIZES = values.sizes.split(',').map(Number);
const RUNS = Number(values.runs);
/** Bytes hnswlib writes per 256-d vector with M 16 (measured: 112 MiB at 100k). */
const HNSW_BYTES_PER_VECTOR = 1_164 + 8;

async function buildIndex(dir: string, n: number): Promise<string> {
  const logger = silentLogger();
  const store = new DocStore(join(dir, 'db'), logger);
  await store.open();
  const index = new MemoryIndex(store, join(dir, 'index'), logger);
  await index.open();
  const rand = mulberry32(7);
  const now = Date.now();
  for (let i = 0; i < n; i += 2_000) {
    const events: CommitEvent[] = [];
    for (let j = i; j < Math.min(n, i + 2_000); j++) {
      const s = syntheticMemory(rand, j);
      const at = new Date(now - (n - j) * 1000).toISOString();
      const view: Memory = { id: `m-${String(j).padStart(7, '0')}`, content: s.content, context: '', category: s.category, tags: s.tags, project: s.project, scope: 'mesh', metadata: {}, machine: 'bench', agent: 'bench', created_at: at, updated_at: at, deleted: false, deleted_at: null, deleted_reason: null } as unknown as Memory;
      events.push({ seq: j + 1, collection: 'memories', id: view.id, scope: 'mesh', heads: [], view });
    }
    index.applyCommits(events);
  }
  await index.checkpoint();
  index.close();
  await store.close();
  return index.path;
}

function timeQuickCheck(path: string): { ms: number; ok: boolean } {
  const db = new Database(path);
  try {
    const t0 = performance.now();
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    return { ms: performance.now() - t0, ok: rows.length === 1 && rows[0]!.quick_check === 'ok' };
  } finally {
    db.close();
  }
}

async function timeVerify(dir: string, n: number): Promise<{ ms: number[]; records: number }> {
  const store = new DocStore(join(dir, 'verify-db'), silentLogger());
  await store.open();
  const rand = mulberry32(9);
  const s = syntheticMemory(rand, 0);
  const now = new Date().toISOString();
  const doc = A.from({ v: 1, content: s.content, category: s.category, tags: s.tags, project: s.project, created_at: now });
  const bytes = A.save(doc);
  const heads = A.getHeads(doc);
  for (let i = 0; i < n; i += 1_000) {
    await Promise.all(
      Array.from({ length: Math.min(1_000, n - i) }, (_, j) => {
        const m = syntheticMemory(rand, i + j);
        const id = `m-${String(i + j).padStart(7, '0')}`;
        return store.importDoc('memories', id, bytes, { id, ...m, scope: 'mesh', machine: 'bench', agent: 'bench', created_at: now, updated_at: now, deleted: false }, heads, 'mesh', 'bench-peer');
      }),
    );
  }
  const ms: number[] = [];
  let records = 0;
  for (let r = 0; r < RUNS; r++) {
    const report = await store.verify();
    if (report.damaged.length) throw new Error('a fresh store reported damage');
    ms.push(report.ms);
    records = report.records;
  }
  await store.close();
  return { ms, records };
}

const rows: (string | number)[][] = [];
for (const n of SIZES) {
  const dir = mkdtempSync('/tmp/mh-bench-integrity-');
  try {
    const path = await buildIndex(dir, n);
    const checks: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const { ms, ok } = timeQuickCheck(path);
      if (!ok) throw new Error('quick_check failed on a fresh index');
      checks.push(ms);
    }
    const hnsw = join(dir, 'vectors.hnsw');
    writeFileSync(hnsw, randomBytes(n * HNSW_BYTES_PER_VECTOR));
    const digests: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await sha256File(hnsw);
      digests.push(performance.now() - t0);
    }
    const verify = await timeVerify(dir, n);
    rows.push([n, mib(statSync(path).size), median(checks).toFixed(0), Math.max(...checks).toFixed(0), mib(statSync(hnsw).size), median(digests).toFixed(0), verify.records, median(verify.ms).toFixed(0)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`integrity checks, ${machine()}, ${new Date().toISOString().slice(0, 10)}, median of ${RUNS} (page cache warm)`);
table(['memories', 'keyword index', 'quick_check ms', 'max ms', 'HNSW file', 'sha256 ms', 'store records', 'verify ms'], rows);
