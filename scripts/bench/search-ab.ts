/**
 * A/B search latency in one process: another checkout's search code (--old, e.g. a `git archive`
 * of an earlier commit with node_modules linked in) and this one, each over its own copy of the
 * same home, queries alternated between the two so both see the same machine load. Service-level
 * (MemoryService.search, no MCP hop), 200 queries from the search-latency generator x --runs.
 *
 *   node --import tsx scripts/bench/search-ab.ts --old /tmp/hm-old --old-home /tmp/ab-old --new-home /tmp/ab-new [--runs 3]
 */
import '../../src/polyfills.js';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openSearchStack } from '../../test/helpers/searchStack.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { old: { type: 'string' }, 'old-home': { type: 'string' }, 'new-home': { type: 'string' }, runs: { type: 'string', default: '3' } } });
if (!values.old || !values['old-home'] || !values['new-home']) throw new Error('--old, --old-home and --new-home are required');
const RUNS = Number(values.runs);

type Stack = Awaited<ReturnType<typeof openSearchStack>>;
const oldHelpers = (await import(pathToFileURL(join(resolve(values.old), 'test', 'helpers', 'searchStack.ts')).href)) as { openSearchStack: (dir: string) => Promise<Stack> };
const stacks = { old: await oldHelpers.openSearchStack(resolve(values['old-home'])), new: await openSearchStack(resolve(values['new-home'])) };
// Both must answer semantic queries from a complete vector index.
for (const s of Object.values(stacks)) {
  while (s.vectors.status().rebuilding || s.vectors.status().queued > 0) await new Promise((r) => setTimeout(r, 500));
}

const rand = mulberry32(99);
const queries = Array.from({ length: 200 }, (_, i) => {
  const words = syntheticMemory(rand, i).content.split(' ');
  return i % 2 ? words.slice(0, 4).join(' ') : (words.find((w) => /\d/.test(w)) ?? words[0]!);
});
console.log(`# search A/B — ${new Date().toISOString().slice(0, 10)} — ${machine()}`);
const rows: (string | number)[][] = [];
for (const mode of ['keyword', 'semantic', 'hybrid'] as const) {
  const runs = { old: [] as number[][], new: [] as number[][] };
  for (let r = 0; r < RUNS; r++) {
    const times = { old: [] as number[], new: [] as number[] };
    for (const query of queries) {
      for (const side of ['old', 'new'] as const) {
        const t0 = performance.now();
        await stacks[side].memories.search({ query, mode, limit: 10 });
        times[side].push(performance.now() - t0);
      }
    }
    runs.old.push(times.old);
    runs.new.push(times.new);
  }
  const p = (side: 'old' | 'new', q: number) => median(runs[side].map((t) => percentile(t, q)));
  rows.push([mode, p('old', 50).toFixed(2), p('new', 50).toFixed(2), `${(p('new', 50) / p('old', 50)).toFixed(2)}×`, p('old', 95).toFixed(2), p('new', 95).toFixed(2)]);
}
table(['mode', 'old p50 ms', 'new p50 ms', 'new/old', 'old p95 ms', 'new p95 ms'], rows);
await stacks.old.close();
await stacks.new.close();
