/**
 * Search quality on the labelled DevOps set (test/fixtures/search-quality.json): recall@5 and
 * MRR@10 per query kind (paraphrase, exact, mixed) for each mode, with the bundled offline model.
 * Baseline: keyword mode (BM25). Targets with the offline default: recall@5 >= 0.85 overall,
 * >= 0.75 on paraphrases.
 *
 *   node --import tsx scripts/bench/search-quality.ts
 */
import '../../src/polyfills.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { initHome } from '../../src/daemon/initHome.js';
import { ACTOR } from '../../test/helpers/memoryStack.js';
import { openSearchStack } from '../../test/helpers/searchStack.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { machine, table } from './stats.js';

interface Dataset {
  memories: { id: string; category: string; project: string; tags: string[]; content: string }[];
  queries: { id: string; kind: 'paraphrase' | 'exact' | 'mixed'; query: string; relevant: string[] }[];
}

const data = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'search-quality.json'), 'utf8')) as Dataset;
const home = tmpHome('bench-quality-');
await initHome(home.dir, { name: 'bench' });
const stack = await openSearchStack(home.dir);
const idOf = new Map<string, string>();
for (const m of data.memories) {
  const stored = await stack.memories.store({ content: m.content, category: m.category, tags: m.tags, project: m.project }, ACTOR);
  idOf.set(stored.id, m.id);
}

const modes = ['keyword', 'semantic', 'hybrid'] as const;
const kinds = ['paraphrase', 'exact', 'mixed'] as const;
type Score = { recall5: number; mrr10: number; n: number };
const scores = new Map<string, Score>();
const misses: string[] = [];
for (const mode of modes) {
  for (const q of data.queries) {
    const { results } = await stack.memories.search({ query: q.query, mode, limit: 10 });
    const ranked = results.map((r) => idOf.get(r.id));
    const top5 = new Set(ranked.slice(0, 5));
    const recall = q.relevant.filter((r) => top5.has(r)).length / q.relevant.length;
    const first = ranked.findIndex((r) => r !== undefined && q.relevant.includes(r));
    const rr = first >= 0 ? 1 / (first + 1) : 0;
    if (mode === 'hybrid' && recall < 1) misses.push(`${q.kind} ${q.id} "${q.query}" -> got ${ranked.slice(0, 5).join(',')} want ${q.relevant.join(',')}`);
    for (const key of [`${mode}/${q.kind}`, `${mode}/all`]) {
      const s = scores.get(key) ?? { recall5: 0, mrr10: 0, n: 0 };
      s.recall5 += recall;
      s.mrr10 += rr;
      s.n++;
      scores.set(key, s);
    }
  }
}
await stack.close();
rmSync(home.dir, { recursive: true, force: true });

console.log(`# search quality — ${new Date().toISOString().slice(0, 10)} — ${machine()}`);
console.log(`${data.memories.length} memories, ${data.queries.length} queries (${kinds.map((k) => `${data.queries.filter((q) => q.kind === k).length} ${k}`).join(', ')}); model ${stack.vectors.modelId}; deterministic, so one run\n`);
const cell = (mode: string, kind: string) => {
  const s = scores.get(`${mode}/${kind}`)!;
  return `${(s.recall5 / s.n).toFixed(3)} / ${(s.mrr10 / s.n).toFixed(3)}`;
};
const base = (kind: string) => scores.get(`keyword/${kind}`)!;
table(
  ['mode', ...kinds.map((k) => `${k} R@5 / MRR@10`), 'all R@5 / MRR@10', 'all R@5 vs keyword'],
  modes.map((m) => [m, ...kinds.map((k) => cell(m, k)), cell(m, 'all'), `${(scores.get(`${m}/all`)!.recall5 / base('all').recall5).toFixed(2)}×`]),
);
if (process.argv.includes('--misses')) console.log('\nhybrid misses:\n' + misses.join('\n'));
