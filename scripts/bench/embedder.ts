/**
 * Embedding throughput (issue 3): texts/s of the default model through the real transformers.js
 * pipeline, batch 64, on 2,000 synthetic DevOps texts. Baseline: the 1,000 texts/s target.
 *
 *   node --import tsx scripts/bench/embedder.ts [--runs 5] [--texts 2000] [--batch 64]
 */
import { parseArgs } from 'node:util';
import { defaultModel } from '../../src/search/embedder/models.js';
import { TransformersEmbedder } from '../../src/search/embedder/TransformersEmbedder.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, table } from './stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, texts: { type: 'string', default: '2000' }, batch: { type: 'string', default: '64' } } });
const RUNS = Number(values.runs);
const N = Number(values.texts);
const BATCH = Number(values.batch);
/** The target for the default model on this class of machine. */
const TARGET_TEXTS_PER_S = 1_000;

const rand = mulberry32(7);
const memories = Array.from({ length: N }, (_, i) => syntheticMemory(rand, i).content);
const sets: [string, string[]][] = [
  // First clause of a memory (~60 chars): a title, a search query, a short note.
  ['short (first clause)', memories.map((m) => m.split('; ')[0]!)],
  // A whole synthetic memory (~200 chars).
  ['memory (whole content)', memories],
];

const t0 = performance.now();
const embedder = await TransformersEmbedder.load(defaultModel(), { batchSize: BATCH });
const loadMs = performance.now() - t0;

const rows: (string | number)[][] = [];
for (const [name, texts] of sets) {
  await embedder.embed(texts.slice(0, BATCH)); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    await embedder.embed(texts);
    rates.push(texts.length / ((performance.now() - start) / 1000));
  }
  const avgChars = texts.reduce((s, t) => s + t.length, 0) / texts.length;
  const med = median(rates);
  rows.push([name, Math.round(avgChars), texts.length, Math.round(med), rates.map((x) => Math.round(x)).join(' / '), `${(med / TARGET_TEXTS_PER_S).toFixed(2)}×`]);
}
await embedder.close();

console.log(`\nEmbedder: ${embedder.modelId} (${embedder.dimension}-d), batch ${BATCH}, median of ${RUNS} runs; ${machine()}; model load ${loadMs.toFixed(0)} ms\n`);
table(['texts', 'avg chars', 'n', 'texts/s (median)', 'runs', 'vs target 1,000/s'], rows);
