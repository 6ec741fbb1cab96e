/**
 * What thesaurus expansion costs hybrid search at scale: one process, one 100k home (the
 * search-latency home), two MemoryService instances over the same store, index and vectors, one
 * with the bundled thesaurus and one without, queries alternated so both see the same load.
 * Service level (no MCP hop), the 200 search-latency queries x 3 runs; medians of per-run p50/p95.
 *
 *   node --import tsx scripts/bench/search-expansion-ab.ts [--home .bench/home100k]
 */
import '../../src/polyfills.js';
import { defaultSynonymGroups } from '../../src/config/searchSynonyms.js';
import { MemoryService } from '../../src/domain/MemoryService.js';
import { silentLogger } from '../../src/log.js';
import { openSearchStack } from '../../test/helpers/searchStack.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { parseArgs } from 'node:util';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { home: { type: 'string', default: '.bench/home100k' } } });
const stack = await openSearchStack(values.home, { synonyms: defaultSynonymGroups() });
while (stack.vectors.status().rebuilding || stack.vectors.status().queued > 0) await new Promise((r) => setTimeout(r, 500));
const plain = new MemoryService({ store: stack.store, index: stack.index, logger: silentLogger(), actorId: 'aa'.repeat(16), customCategories: [], retentionDays: 30, eraser: stack.eraser });
plain.setVectors(stack.vectors);
const rand = mulberry32(99);
const queries = Array.from({ length: 200 }, (_, i) => { const words = syntheticMemory(rand, i).content.split(' '); return i % 2 ? words.slice(0, 4).join(' ') : (words.find((w) => /\d/.test(w)) ?? words[0]!); });
for (const q of queries.slice(0, 20)) await stack.memories.search({ query: q });
// p95 per run
const runs = { plain: [] as number[], thesaurus: [] as number[] };
const p50s = { plain: [] as number[], thesaurus: [] as number[] };
for (let r = 0; r < 3; r++) {
  const t = { plain: [] as number[], thesaurus: [] as number[] };
  for (const q of queries) for (const [side, svc] of [['plain', plain], ['thesaurus', stack.memories]] as const) { const t0 = performance.now(); await svc.search({ query: q, limit: 10 }); t[side].push(performance.now() - t0); }
  for (const side of ['plain', 'thesaurus'] as const) { p50s[side].push(percentile(t[side], 50)); runs[side].push(percentile(t[side], 95)); }
}
console.log(`# hybrid search with and without thesaurus expansion — ${new Date().toISOString().slice(0, 10)} — ${machine()}; ${stack.index.count({ includeDeleted: true })} memories`);
table(
  ['hybrid search', 'p50 ms (median of 3 runs)', 'p50 per run', 'p95 ms', 'p50 vs no thesaurus'],
  (['plain', 'thesaurus'] as const).map((side) => [
    side === 'plain' ? 'no thesaurus (baseline)' : 'with the bundled thesaurus',
    median(p50s[side]).toFixed(2),
    p50s[side].map((x) => x.toFixed(2)).join(' / '),
    median(runs[side]).toFixed(2),
    `${(median(p50s[side]) / median(p50s.plain)).toFixed(2)}×`,
  ]),
);
await stack.close();
