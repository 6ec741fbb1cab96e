/**
 * Vector index benchmark (issue 3): HNSW (hnswlib-node, cosine) over vectors from the default
 * embedding model of synthetic DevOps memories. Build time, file size, load time (target <= 2 s),
 * query p50/p95 and recall@10 against exact brute force (target >= 0.95) at several ef.
 * Embeddings are cached in the temp dir, so reruns skip the embedding step.
 *
 *   node --import tsx scripts/bench/vector.ts [--n 100000] [--queries 200] [--runs 3] [--ef 32,64,100,128]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HNSW_EF_SEARCH } from '../../src/search/constants.js';
import { defaultModel } from '../../src/search/embedder/models.js';
import { TransformersEmbedder } from '../../src/search/embedder/TransformersEmbedder.js';
import { HnswVectorIndex } from '../../src/search/vector/HnswVectorIndex.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { dirBytes, machine, median, mib, percentile, table } from './stats.js';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '100000' }, queries: { type: 'string', default: '200' }, runs: { type: 'string', default: '3' }, ef: { type: 'string', default: '16,32,64,100,128' } },
});
const N = Number(values.n);
const QUERIES = Number(values.queries);
const RUNS = Number(values.runs);
const EFS = values.ef.split(',').map(Number);
const TARGET_LOAD_MS = 2_000;
const TARGET_RECALL = 0.95;
const K = 10;

const model = defaultModel();
const embedder = await TransformersEmbedder.load(model);
const dim = embedder.dimension;

async function embedCached(name: string, texts: string[]): Promise<Float32Array[]> {
  const file = join(tmpdir(), `hivemesh-bench-${model.id}-${name}-${texts.length}.f32`);
  if (!existsSync(file)) {
    const t0 = performance.now();
    const vectors = await embedder.embed(texts);
    console.error(`embedded ${texts.length} ${name} texts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const flat = new Float32Array(texts.length * dim);
    vectors.forEach((v, i) => flat.set(v, i * dim));
    writeFileSync(file, flat);
  }
  const buf = readFileSync(file);
  const flat = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return Array.from({ length: texts.length }, (_, i) => flat.subarray(i * dim, (i + 1) * dim));
}

const corpusRand = mulberry32(1);
const vectors = await embedCached('corpus', Array.from({ length: N }, (_, i) => syntheticMemory(corpusRand, i).content));
// Queries: the first clause of other synthetic memories (like a search for an error on a host).
const queryRand = mulberry32(99);
const queries = await embedCached('queries', Array.from({ length: QUERIES }, (_, i) => syntheticMemory(queryRand, N + i).content.split('; ')[0]!));
await embedder.close();

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

// Exact top-10 by brute force (vectors are unit length, so cosine is the dot product).
const t0 = performance.now();
const exact = queries.map((q) => {
  const top: { i: number; s: number }[] = [];
  vectors.forEach((v, i) => {
    const s = dot(q, v);
    if (top.length < K || s > top[top.length - 1]!.s) {
      top.push({ i, s });
      top.sort((a, b) => b.s - a.s);
      if (top.length > K) top.pop();
    }
  });
  return new Set(top.map((t) => `m${t.i}`));
});
const bruteMs = (performance.now() - t0) / queries.length;

const dir = mkdtempSync(join(tmpdir(), 'hivemesh-vector-bench-'));
try {
  const buildStart = performance.now();
  const index = HnswVectorIndex.create(dir, { modelId: model.id, dimension: dim });
  vectors.forEach((v, i) => index.add(`m${i}`, v));
  const buildS = (performance.now() - buildStart) / 1000;
  const saveStart = performance.now();
  await index.save();
  const saveMs = performance.now() - saveStart;
  const bytes = dirBytes(dir);
  const indexFileBytes = statSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.hnsw'))!)).size;

  const loadTimes: number[] = [];
  let loaded: HnswVectorIndex | undefined;
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    const opened = await HnswVectorIndex.open(dir, { modelId: model.id, dimension: dim });
    loadTimes.push(performance.now() - start);
    if (opened.state !== 'loaded') throw new Error(`expected a loaded index, got ${opened.state}`);
    loaded = opened.index;
  }

  const efRows: (string | number)[][] = [];
  for (const ef of EFS) {
    loaded!.ef = ef;
    const recalls: number[] = [];
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      let found = 0;
      queries.forEach((q, qi) => {
        const start = performance.now();
        const hits = loaded!.search(q, K);
        times.push(performance.now() - start);
        found += hits.filter((h) => exact[qi]!.has(h.key)).length;
      });
      recalls.push(found / (queries.length * K));
    }
    const recall = median(recalls);
    efRows.push([ef === HNSW_EF_SEARCH ? `**${ef}** (default)` : ef, percentile(times, 50).toFixed(3), percentile(times, 95).toFixed(3), recall.toFixed(4), `${(recall / TARGET_RECALL).toFixed(3)}×`]);
  }

  const loadMs = median(loadTimes);
  console.log(`\nVector index: ${N.toLocaleString('en')} × ${dim}-d vectors (${model.id} on synthetic memories), HNSW M=16 efConstruction=200; ${machine()}\n`);
  table(
    ['measure', 'value', 'baseline / target', 'ratio'],
    [
      ['build (add all, one thread)', `${buildS.toFixed(1)} s (${Math.round(N / buildS)} vectors/s)`, '—', '—'],
      ['save (atomic)', `${saveMs.toFixed(0)} ms`, '—', '—'],
      ['index file', `${mib(indexFileBytes)} MiB`, '—', '—'],
      ['index dir (file + sidecar)', `${mib(bytes)} MiB`, '—', '—'],
      [`load (open, median of ${RUNS})`, `${loadMs.toFixed(0)} ms`, `target <= ${TARGET_LOAD_MS} ms`, `${(loadMs / TARGET_LOAD_MS).toFixed(2)}×`],
      ['brute force query (exact, JS)', `${bruteMs.toFixed(1)} ms`, '—', '—'],
    ],
  );
  console.log(`\nQueries: ${QUERIES} held-out query texts, k=${K}, ${RUNS} runs each; recall@10 vs exact brute force (target >= ${TARGET_RECALL})\n`);
  table(['ef', 'p50 ms', 'p95 ms', 'recall@10', 'vs target 0.95'], efRows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
