import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HnswVectorIndex } from '../../../src/search/vector/HnswVectorIndex.js';
import { breakHnswLinks } from '../../helpers/corrupt.js';
import { mulberry32 } from '../../helpers/prng.js';

const SEED = Number(process.env['TEST_SEED'] ?? 20261122);

function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return v.map((x) => x / n);
}

/** Clustered vectors, like embeddings: topics (centres) plus per-text noise, unit length. */
function clusteredVectors(rand: () => number, n: number, dim: number, clusters: number): Float32Array[] {
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, gauss));
  return Array.from({ length: n }, () => {
    const c = centres[Math.floor(rand() * clusters)]!;
    return normalise(Float32Array.from({ length: dim }, (_, i) => c[i]! + 0.9 * gauss()));
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const unit = (...xs: number[]): Float32Array => normalise(Float32Array.from(xs));
const OPTS = { modelId: 'test-model', dimension: 3 };

describe('HnswVectorIndex', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hivemesh-hnsw-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // Adding, searching, filtering, removing and replacing: the VectorIndex acceptance suite (vectorIndex.test.ts).

  it('grows past its initial capacity and reuses the slots of removed vectors', () => {
    const rand = mulberry32(SEED);
    const vectors = clusteredVectors(rand, 300, 16, 5);
    const index = HnswVectorIndex.create(dir, { modelId: 'm', dimension: 16, initialCapacity: 8 });
    vectors.forEach((v, i) => index.add(`k${i}`, v));
    expect(index.size).toBe(300);
    expect(index.capacity).toBeGreaterThanOrEqual(300);
    for (let i = 0; i < 100; i++) index.remove(`k${i}`);
    const capacity = index.capacity;
    for (let i = 0; i < 100; i++) index.add(`again${i}`, vectors[i]!);
    expect(index.capacity).toBe(capacity);
    expect(index.size).toBe(300);
    expect(index.search(vectors[5]!, 1)[0]!.key).toBe('again5');
  });

  it('saves and loads (not rebuilds) with the same answers, and keeps working incrementally', async () => {
    process.stderr.write(`hnsw save/load seed ${SEED}\n`);
    const rand = mulberry32(SEED);
    const vectors = clusteredVectors(rand, 500, 32, 10);
    const opts = { modelId: 'm1', dimension: 32 };
    const index = HnswVectorIndex.create(dir, opts);
    vectors.forEach((v, i) => index.add(`k${i}`, v));
    for (let i = 0; i < 50; i++) index.remove(`k${i}`);
    await index.save();
    const queries = vectors.slice(0, 20);
    const before = queries.map((q) => index.search(q, 10));

    const opened = await HnswVectorIndex.open(dir, opts);
    expect(opened.state).toBe('loaded');
    const loaded = opened.index;
    expect(loaded.size).toBe(450);
    expect(loaded.ef).toBe(index.ef);
    expect(queries.map((q) => loaded.search(q, 10))).toEqual(before);

    loaded.add('new', vectors[0]!);
    loaded.remove('k60');
    await loaded.save();
    const again = (await HnswVectorIndex.open(dir, opts)).index;
    expect(again.has('new')).toBe(true);
    expect(again.has('k60')).toBe(false);
    expect(again.size).toBe(450);
    expect(readdirSync(dir).filter((f) => f.endsWith('.hnsw'))).toHaveLength(1);
  });

  it('reports a missing index, a stale one (other model, dimension) and a corrupt one (broken files, moved aside)', async () => {
    expect((await HnswVectorIndex.open(dir, OPTS)).state).toBe('missing');
    const index = HnswVectorIndex.create(dir, OPTS);
    index.add('a', unit(1, 0, 0));
    await index.save();

    const otherModel = await HnswVectorIndex.open(dir, { ...OPTS, modelId: 'other-model' });
    expect(otherModel).toMatchObject({ state: 'stale', reason: expect.stringContaining('test-model') as unknown });
    expect(otherModel.index.size).toBe(0);
    expect((await HnswVectorIndex.open(dir, { ...OPTS, dimension: 4 })).state).toBe('stale');

    const sidecar = join(dir, 'vectors.json');
    const text = readFileSync(sidecar, 'utf8');
    writeFileSync(sidecar, text.slice(0, 20));
    expect((await HnswVectorIndex.open(dir, OPTS)).state).toBe('corrupt');
    expect(readdirSync(dir).some((f) => /^vectors\.json\.corrupt-\d+$/.test(f))).toBe(true);
    writeFileSync(sidecar, text);
    const file = readdirSync(dir).find((f) => f.endsWith('.hnsw'))!;
    rmSync(join(dir, file));
    expect((await HnswVectorIndex.open(dir, OPTS)).state).toBe('corrupt');
  });

  it('never hands hnswlib a file whose bytes differ from those saved: checksum, then moved aside', async () => {
    const index = HnswVectorIndex.create(dir, OPTS);
    index.add('a', unit(1, 0, 0));
    index.add('b', unit(0, 1, 0));
    await index.save();
    const file = readdirSync(dir).find((f) => f.endsWith('.hnsw'))!;
    breakHnswLinks(join(dir, file));

    const opened = await HnswVectorIndex.open(dir, OPTS);
    expect(opened).toMatchObject({ state: 'corrupt', reason: expect.stringContaining('checksum') as unknown });
    expect(opened.index.size).toBe(0);
    const left = readdirSync(dir);
    expect(left.filter((f) => f.endsWith('.hnsw'))).toEqual([]);
    expect(left.some((f) => f.startsWith(`${file}.corrupt-`))).toBe(true);
    expect((await HnswVectorIndex.open(dir, OPTS)).state).toBe('missing');
  });

  it('moves the files aside instead of reading them again when a previous start died inside the native read', async () => {
    const index = HnswVectorIndex.create(dir, OPTS);
    index.add('a', unit(1, 0, 0));
    await index.save();
    const file = readdirSync(dir).find((f) => f.endsWith('.hnsw'))!;
    writeFileSync(join(dir, 'loading'), file);
    expect(await HnswVectorIndex.open(dir, OPTS)).toMatchObject({ state: 'corrupt', reason: expect.stringContaining('died') as unknown });
    expect(readdirSync(dir).filter((f) => f.endsWith('.hnsw') || f === 'loading' || f === 'vectors.json')).toEqual([]);
  });

  it('has recall@10 >= 0.95 against brute force on 5k clustered vectors', () => {
    process.stderr.write(`hnsw recall seed ${SEED}\n`);
    const rand = mulberry32(SEED);
    const dim = 64;
    const vectors = clusteredVectors(rand, 5_000, dim, 50);
    const queries = clusteredVectors(rand, 100, dim, 50);
    const index = HnswVectorIndex.create(dir, { modelId: 'm', dimension: dim });
    vectors.forEach((v, i) => index.add(`k${i}`, v));
    let found = 0;
    for (const q of queries) {
      const exact = vectors
        .map((v, i) => ({ key: `k${i}`, score: dot(q, v) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10)
        .map((h) => h.key);
      const approx = new Set(index.search(q, 10).map((h) => h.key));
      found += exact.filter((k) => approx.has(k)).length;
    }
    const recall = found / (queries.length * 10);
    process.stderr.write(`recall@10 = ${recall.toFixed(4)} at ef ${index.ef}\n`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});
