/** Times the parts of one search on an existing home (daemon stopped): where does a query spend its time? */
import '../../src/polyfills.js';
import { resolve } from 'node:path';
import { openSearchStack } from '../../test/helpers/searchStack.js';
import { ftsMatch, queryTokens } from '../../src/search/ftsQuery.js';

const home = resolve(process.argv[2] ?? '.bench/home100k');
const stack = await openSearchStack(home);
const queries = ['elastic12 hit ECONNRESET on', 'OOMKilled', 'restarted the connection pool', 'OPS-51234', 'why is the cache slow'];
const time = async (label: string, fn: () => unknown) => {
  for (let i = 0; i < 3; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) await fn();
  console.log(`${label.padEnd(60)} ${((performance.now() - t0) / 10).toFixed(2)} ms`);
};
const embedder = (stack.vectors as unknown as { deps: { embedder: { embed(t: string[]): Promise<Float32Array[]> } } }).deps.embedder;
for (const q of queries) {
  console.log(`-- ${q}  match: ${ftsMatch(queryTokens(q))}`);
  await time('keyword index only', () => stack.index.keywordSearch(q, {}, 10));
  await time('embed query', () => embedder.embed([q]));
  await time('vectors.search (embed + hnsw, k=50)', () => stack.vectors.search(q, 50));
  await time('service keyword', () => stack.memories.search({ query: q, mode: 'keyword' }));
  await time('service semantic', () => stack.memories.search({ query: q, mode: 'semantic' }));
  await time('service hybrid', () => stack.memories.search({ query: q, mode: 'hybrid' }));
}
{
  const q = 'why is the cache slow';
  const cands = await stack.vectors.search(q, 50);
  const ids = cands.map((c) => c.key);
  await time('filterIds(50)', () => stack.index.filterIds(ids, { includeDeleted: false }));
  await time('views_(10)', () => stack.store.views_('memories', ids.slice(0, 10)));
}
await stack.close();
