#!/usr/bin/env node
// Throughput of the real transformers.js pipeline on 2,000 short DevOps texts, batched.
//   node scripts/model/bench.mjs src/search/embedder/models/hivemesh-static-use-v1 [batchSize=64] [runs=3]
// Prints texts/s for each run and the median.
import { resolve, basename, dirname } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { syntheticDevops } from './lib/corpus.mjs';

const dir = resolve(process.argv[2] ?? new URL('../../src/search/embedder/models/hivemesh-static-use-v1', import.meta.url).pathname);
const batch = Number(process.argv[3] ?? 64), runs = Number(process.argv[4] ?? 3);
env.allowRemoteModels = false; env.localModelPath = dirname(dir) + '/';
const extractor = await pipeline('feature-extraction', basename(dir), { dtype: 'fp32' });
const texts = syntheticDevops(2000, 12345); // different seed from training
await extractor(texts.slice(0, 64), { pooling: 'mean', normalize: true }); // warm-up
const rates = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i += batch) await extractor(texts.slice(i, i + batch), { pooling: 'mean', normalize: true });
  const s = (performance.now() - t0) / 1000; rates.push(texts.length / s);
  console.log(`run ${r + 1}: ${(texts.length / s).toFixed(0)} texts/s`);
}
rates.sort((a, b) => a - b);
console.log(JSON.stringify({ model: basename(dir), batch, texts: texts.length, median_texts_per_s: Math.round(rates[Math.floor(rates.length / 2)]) }));
