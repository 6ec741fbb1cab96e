#!/usr/bin/env node
// Quality evaluation on the hand-written DevOps paraphrase set (lib/eval-set.mjs).
//   MODEL_BUILD_DEPS=<scratch> node scripts/model/eval.mjs teacher   -> USE lite (TF.js) itself
//   node scripts/model/eval.mjs src/search/embedder/models/hivemesh-static-use-v1 [more model dirs...]  -> via transformers.js pipeline
// Reports: mean cosine of paraphrase pairs, mean cosine of unrelated pairs (query i vs
// paraphrase j != i, and query vs distractors), their gap, and retrieval recall@1/@5 where
// each query searches all paraphrases + distractors (60 candidates).
import { resolve, basename, dirname } from 'node:path';
import { PAIRS, DISTRACTORS } from './lib/eval-set.mjs';
import { cosine } from './lib/linalg.mjs';

export function scoreEmbeddings(embed) {
  const n = PAIRS.length;
  const q = embed.slice(0, n), p = embed.slice(n, 2 * n), dis = embed.slice(2 * n);
  const cands = [...p, ...dis];
  let para = 0, unrel = 0, unrelN = 0, r1 = 0, r5 = 0, mrr = 0;
  for (let i = 0; i < n; i++) {
    para += cosine(q[i], p[i]);
    for (let j = 0; j < n; j++) if (j !== i) { unrel += cosine(q[i], p[j]); unrelN++; }
    for (const x of dis) { unrel += cosine(q[i], x); unrelN++; }
    const scores = cands.map((c, j) => [cosine(q[i], c), j]).sort((a, b) => b[0] - a[0]);
    const rank = scores.findIndex(([, j]) => j === i);
    if (rank === 0) r1++; if (rank < 5) r5++; mrr += 1 / (rank + 1);
  }
  return { paraphrase_cos: para / n, unrelated_cos: unrel / unrelN, gap: para / n - unrel / unrelN, recall_at_1: r1 / n, recall_at_5: r5 / n, mrr: mrr / n };
}

const texts = [...PAIRS.map((x) => x[0]), ...PAIRS.map((x) => x[1]), ...DISTRACTORS];
const fmt = (r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(3))]));

if (import.meta.url === `file://${process.argv[1]}`) {
  const targets = process.argv.slice(2);
  for (const t of targets) {
    let vecs;
    if (t === 'teacher') {
      const { loadTeacher } = await import('./lib/teacher.mjs');
      vecs = await (await loadTeacher()).embed(texts);
    } else {
      const { env, pipeline } = await import('@huggingface/transformers');
      const dir = resolve(t);
      env.allowRemoteModels = false; env.localModelPath = dirname(dir) + '/';
      const extractor = await pipeline('feature-extraction', basename(dir), { dtype: 'fp32' });
      const out = await extractor(texts, { pooling: 'mean', normalize: true });
      const dim = out.dims[1];
      vecs = texts.map((_, i) => out.data.subarray(i * dim, (i + 1) * dim));
    }
    console.log(JSON.stringify({ model: t, ...fmt(scoreEmbeddings(vecs)) }));
  }
}
