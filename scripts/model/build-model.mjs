#!/usr/bin/env node
// Build a static sentence-embedding model distilled from Universal Sentence Encoder lite,
// written as an HF-format folder that transformers.js loads with
// pipeline('feature-extraction', ...) fully offline.
//
// Steps (teacher outputs are cached under ./cache, so re-runs with other knobs are fast):
//   1. corpus      : sentences mined from local Markdown + synthetic DevOps sentences
//   2. vocabulary  : the 8000 USE SentencePiece pieces + frequent corpus words / DevOps terms
//                    added as whole-word unigram pieces
//   3. teacher     : USE-lite embedding of every vocabulary piece and every corpus sentence
//   4. distil      : centre, PCA -> dim, SIF frequency weighting  ("plain" model2vec-style)
//   5. refine      : ridge least squares (conjugate gradient) so that the mean of a sentence's
//                    token vectors ≈ the teacher's (projected) sentence embedding ("tokenlearn")
//   6. write       : config.json, tokenizer(.json|_config.json), onnx/model.onnx (int8 rows)
//
// Usage: MODEL_BUILD_DEPS=<scratch> node scripts/model/build-model.mjs [--out ./hivemesh-static-use-v1] [--cache <dir>] [--dim 256] [--extra 8000]
//        [--lowercase 1] [--refine 1] [--lambda 0.5] [--sif 1e-3] [--storage int8] [--md-max 30000]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import { mineMarkdown, syntheticDevops, DEVOPS_TERMS, rng } from './lib/corpus.mjs';
import { buildVocab, tokenizerJson, tokenizerConfig } from './lib/hf-tokenizer.mjs';
import { colMean, covariance, symEig, project } from './lib/linalg.mjs';
import { writeModelFolder } from './lib/write-model.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');

// ------------------------------------------------------------------ options
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, arr) => (a.startsWith('--') ? [...acc, [a.slice(2), arr[i + 1]]] : acc), []));
// Teacher outputs (~120 MB) are cached outside the repo; --cache or MODEL_BUILD_CACHE moves them.
const CACHE = resolve(args.cache ?? process.env.MODEL_BUILD_CACHE ?? join(tmpdir(), 'hivemesh-model-build-cache'));
mkdirSync(CACHE, { recursive: true });
const opt = {
  // Written to the current folder by default; copy it over src/search/embedder/models/<id>/ once checked.
  out: resolve(args.out ?? 'hivemesh-static-use-v1'),
  dim: Number(args.dim ?? 256),
  extra: Number(args.extra ?? 8000),      // max extra whole-word pieces
  minCount: Number(args['min-count'] ?? 3),
  lowercase: (args.lowercase ?? '1') === '1',
  refine: (args.refine ?? '1') === '1',
  lambda: Number(args.lambda ?? 2),       // ridge strength toward the plain distilled vectors
  iters: Number(args.iters ?? 60),        // conjugate-gradient iterations
  sif: Number(args.sif ?? 1e-3),          // SIF coefficient a: weight = a / (a + p(token))
  storage: args.storage ?? 'int8',
  mdMax: Number(args['md-max'] ?? 12000),
  synth: Number(args.synth ?? 6000),
  holdout: Number(args.holdout ?? 0),     // fraction of corpus sentences held out to measure generalisation
};
const log = (...m) => console.log(`[${(process.uptime()).toFixed(1)}s]`, ...m);
log('options', JSON.stringify(opt));

// ------------------------------------------------------------------ 1. corpus
function loadCorpus() {
  const f = join(CACHE, `corpus-${opt.mdMax}-${opt.synth}.json`);
  if (existsSync(f)) return JSON.parse(readFileSync(f, 'utf8'));
  // Roots are read-only sources of English prose; any folder of Markdown works.
  // Which Markdown is installed decides the corpus, so a rebuild on another machine gives a similar,
  // not identical, model; keep the cache's corpus-*.json to rebuild exactly.
  const depsModules = process.env.MODEL_BUILD_DEPS ? join(resolve(process.env.MODEL_BUILD_DEPS), 'node_modules') : '';
  const roots = [depsModules, join(REPO, 'node_modules'), join(REPO, 'docs'), '/usr/share/doc'].filter((r) => r && existsSync(r));
  let md = mineMarkdown(roots);
  const r = rng(1);                                // deterministic subsample
  md = md.map((s) => [r(), s]).sort((a, b) => a[0] - b[0]).slice(0, opt.mdMax).map((x) => x[1]);
  const corpus = { markdown: md, synthetic: syntheticDevops(opt.synth) };
  writeFileSync(f, JSON.stringify(corpus));
  return corpus;
}
const corpus = loadCorpus();
const sentences = [...corpus.markdown, ...corpus.synthetic];
log(`corpus: ${corpus.markdown.length} markdown + ${corpus.synthetic.length} synthetic sentences`);

// ------------------------------------------------------------------ 2. vocabulary
function extraWords() {
  const counts = new Map();
  for (const s of sentences) {
    const text = opt.lowercase ? s.toLowerCase() : s;
    for (const w of text.normalize('NFKC').split(/[^A-Za-z0-9\-]+/)) {
      if (w.length < 3 || w.length > 24 || !/^[A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]$/.test(w)) continue;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const base = new Set(buildVocab().map((x) => x[0]));
  const terms = DEVOPS_TERMS.map((t) => (opt.lowercase ? t.toLowerCase() : t));
  const frequent = [...counts].filter(([w, c]) => c >= opt.minCount && !base.has('\u2581' + w))
    .sort((a, b) => b[1] - a[1]).map(([w]) => w);
  const out = []; const seen = new Set();
  for (const w of [...terms, ...frequent]) { if (!seen.has(w) && !base.has('\u2581' + w)) { seen.add(w); out.push(w); } }
  return out.slice(0, opt.extra);
}
const vocab = buildVocab(extraWords());
const V = vocab.length;
const tokJson = tokenizerJson(vocab, { lowercase: opt.lowercase });
const tokenizer = new Tokenizer(tokJson, tokenizerConfig());
log(`vocabulary: ${V} pieces (${V - 8000} extra whole words)`);

// The pieces that can never be produced by the tokenizer (uppercase pieces when lowercasing)
// are kept so ids stay aligned with USE, but are zeroed at the end.
const reachable = new Uint8Array(V);
for (let i = 6; i < V; i++) reachable[i] = !opt.lowercase || vocab[i][0] === vocab[i][0].toLowerCase() ? 1 : 0;

// ------------------------------------------------------------------ 3. teacher embeddings (cached)
const hashOf = (xs) => createHash('sha1').update(JSON.stringify(xs)).digest('hex').slice(0, 12);
let teacher = null;
async function teacherEmbed(texts, name, batch) {
  const f = join(CACHE, `teacher-${name}-${hashOf(texts)}.f32`);
  if (existsSync(f)) { const b = readFileSync(f); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); }
  if (!teacher) { const { loadTeacher } = await import('./lib/teacher.mjs'); teacher = await loadTeacher(); }
  const out = new Float32Array(texts.length * 512); const t0 = Date.now();
  for (let i = 0; i < texts.length; i += batch) {
    const rows = await teacher.model.embed(texts.slice(i, i + batch));
    rows.forEach((r, k) => out.set(r, (i + k) * 512));
    if ((i / batch) % 20 === 0) log(`  teacher ${name}: ${i + rows.length}/${texts.length} (${((i + rows.length) / ((Date.now() - t0) / 1000)).toFixed(0)}/s)`);
  }
  writeFileSync(f, Buffer.from(out.buffer));
  return out;
}
// A piece's text for the teacher: drop the word-boundary marker.
const pieceTexts = vocab.map(([p], i) => (i < 6 ? '' : p.replace(/^\u2581/, '') || p));
const tokTeacher = await teacherEmbed(pieceTexts, 'vocab', 256);
const sentTeacher = await teacherEmbed(sentences, 'sentences', 128);
log('teacher embeddings ready');

// ------------------------------------------------------------------ tokenise the corpus with the student tokenizer
const allIds = sentences.map((s) => tokenizer.encode(s, { add_special_tokens: false }).ids);
// Optional held-out split (deterministic): the fit uses only the training part.
const split = (() => { const r = rng(99); return sentences.map(() => r() < opt.holdout); })();
const ids = allIds.filter((_, i) => !split[i]);
const heldIds = allIds.filter((_, i) => split[i]);
const count = new Float64Array(V); let total = 0;
for (const seq of ids) for (const t of seq) { count[t]++; total++; }
log(`corpus tokens: ${total}, avg ${(total / ids.length).toFixed(1)} per sentence`);

// ------------------------------------------------------------------ 4. plain distillation
// Shared space: centre token vectors and sentence vectors separately, fit one PCA on both.
const D = 512, d = opt.dim;
const tokMean = colMean(tokTeacher, V, D);
const sentMean = colMean(sentTeacher, sentences.length, D);
const tokC = covariance(tokTeacher, V, D, tokMean);
const sentC = covariance(sentTeacher, sentences.length, D, sentMean);
const C = new Float64Array(D * D); for (let i = 0; i < D * D; i++) C[i] = 0.5 * tokC[i] + 0.5 * sentC[i];
const basisFile = join(CACHE, `pca-${hashOf([V, sentences.length, opt.lowercase, opt.extra])}.json`);
let basis;
if (existsSync(basisFile)) basis = JSON.parse(readFileSync(basisFile, 'utf8')).map((v) => Float64Array.from(v));
else { basis = symEig(C, D).vectors; writeFileSync(basisFile, JSON.stringify(basis.map((v) => Array.from(v)))); }
log('PCA done');
const E0 = project(tokTeacher, V, D, tokMean, basis, d);

// SIF weights from token probabilities: corpus counts blended with the SentencePiece unigram prior.
const prior = vocab.map(([, s], i) => (i < 8000 ? Math.exp(Math.max(-30, s)) : 0));
const priorSum = prior.reduce((a, b) => a + b, 0);
const weight = new Float32Array(V);
for (let i = 0; i < V; i++) {
  const p = 0.5 * (count[i] + 0.5) / total + 0.5 * prior[i] / priorSum;
  weight[i] = opt.sif / (opt.sif + p);
}
for (let i = 0; i < V; i++) for (let j = 0; j < d; j++) E0[i * d + j] *= weight[i];

// Targets: centred, projected teacher sentence embeddings (unit-normalised).
const Yall = project(sentTeacher, sentences.length, D, sentMean, basis, d);
const pickRows = (M, keep) => { const rows = []; keep.forEach((k, i) => { if (k) rows.push(M.subarray(i * d, (i + 1) * d)); }); const out = new Float32Array(rows.length * d); rows.forEach((r, i) => out.set(r, i * d)); return out; };
const Y = pickRows(Yall, split.map((h) => !h));
const Yheld = pickRows(Yall, split);
const N = ids.length;
for (const M of [Y, Yheld]) for (let i = 0; i < M.length / d; i++) { let s = 0; for (let j = 0; j < d; j++) s += M[i * d + j] ** 2; s = Math.sqrt(s) || 1; for (let j = 0; j < d; j++) M[i * d + j] /= s; }

// Mean-pooling operator A (N x V, sparse): A[s, t] = count(t in s) / len(s).
function applyA(E, out) {           // out (N x d) = A E
  out.fill(0);
  for (let s = 0; s < N; s++) { const seq = ids[s]; if (!seq.length) continue; const inv = 1 / seq.length; const o = s * d;
    for (const t of seq) { const e = t * d; for (let j = 0; j < d; j++) out[o + j] += inv * E[e + j]; } }
  return out;
}
function applyAt(Z, out) {          // out (V x d) = A^T Z
  out.fill(0);
  for (let s = 0; s < N; s++) { const seq = ids[s]; if (!seq.length) continue; const inv = 1 / seq.length; const o = s * d;
    for (const t of seq) { const e = t * d; for (let j = 0; j < d; j++) out[e + j] += inv * Z[o + j]; } }
  return out;
}
// Global scale so that pooled E0 matches the targets in least squares (makes lambda meaningful).
{
  const P = applyA(E0, new Float64Array(N * d)); let num = 0, den = 0;
  for (let i = 0; i < N * d; i++) { num += P[i] * Y[i]; den += P[i] * P[i]; }
  const k = num / den; for (let i = 0; i < V * d; i++) E0[i] *= k;
  log(`plain model scaled by ${k.toExponential(3)}`);
}
function fitLoss(E) { const P = applyA(E, new Float64Array(N * d)); let l = 0; for (let i = 0; i < N * d; i++) l += (P[i] - Y[i]) ** 2; return l / N; }
// Mean cosine between the pooled student vector and the teacher target on held-out sentences.
function heldCos(E) {
  if (!heldIds.length) return NaN; let tot = 0; const v = new Float64Array(d);
  heldIds.forEach((seq, s) => { v.fill(0); for (const t of seq) for (let j = 0; j < d; j++) v[j] += E[t * d + j];
    let dot = 0, nv = 0; for (let j = 0; j < d; j++) { dot += v[j] * Yheld[s * d + j]; nv += v[j] * v[j]; } tot += dot / (Math.sqrt(nv) || 1); });
  return tot / heldIds.length;
}
log(`plain: mean squared error vs teacher targets ${fitLoss(E0).toFixed(4)}, held-out cosine ${heldCos(E0).toFixed(4)}`);

// ------------------------------------------------------------------ 5. refinement (tokenlearn-style)
// minimise ||A E - Y||^2 + lambda * sum_v r_v ||E_v - E0_v||^2, with r_v = 1/N scaled so the
// regulariser is comparable per sentence. Solved for all d columns at once with (global) CG on
// (A^T A + lambda' I) E = A^T Y + lambda' E0.
let E = E0;
if (opt.refine) {
  const lam = opt.lambda / 100; // A rows are means (entries ~1/len): keep lambda on a human scale
  const op = (X) => { const AX = applyA(X, new Float64Array(N * d)); const out = applyAt(AX, new Float64Array(V * d)); for (let i = 0; i < V * d; i++) out[i] += lam * X[i]; return out; };
  const b = applyAt(Y, new Float64Array(V * d)); for (let i = 0; i < V * d; i++) b[i] += lam * E0[i];
  const X = Float64Array.from(E0); const r = new Float64Array(V * d); const AX0 = op(X);
  for (let i = 0; i < V * d; i++) r[i] = b[i] - AX0[i];
  const p = Float64Array.from(r); let rr = r.reduce((a, x) => a + x * x, 0); const rr0 = rr;
  for (let it = 0; it < opt.iters; it++) {
    const Ap = op(p); let pAp = 0; for (let i = 0; i < V * d; i++) pAp += p[i] * Ap[i];
    const alpha = rr / pAp;
    for (let i = 0; i < V * d; i++) { X[i] += alpha * p[i]; r[i] -= alpha * Ap[i]; }
    const rrNew = r.reduce((a, x) => a + x * x, 0);
    if (it % 10 === 0 || it === opt.iters - 1) log(`  CG ${it}: residual ${(Math.sqrt(rrNew / rr0)).toExponential(2)}`);
    if (rrNew / rr0 < 1e-8) break;
    const beta = rrNew / rr; rr = rrNew;
    for (let i = 0; i < V * d; i++) p[i] = r[i] + beta * p[i];
  }
  E = Float32Array.from(X);
  log(`refined: mean squared error vs teacher targets ${fitLoss(E).toFixed(4)}, held-out cosine ${heldCos(E).toFixed(4)}`);
}

// Unreachable / reserved rows -> 0 (pad must contribute nothing even if unmasked).
for (let i = 0; i < V; i++) if (!reachable[i]) E.fill(0, i * d, (i + 1) * d);

// ------------------------------------------------------------------ 6. write the model folder
const { bytes } = writeModelFolder(opt.out, {
  vocab, matrix: E, dim: d, storage: opt.storage, lowercase: opt.lowercase,
  meta: { refine: opt.refine, lambda: opt.lambda, sif: opt.sif, extra_words: V - 8000, corpus_sentences: N, built: new Date().toISOString() },
});
log(`wrote ${opt.out} (onnx ${(bytes / 1e6).toFixed(2)} MB)`);
