/** Per-step cost of one memory write (Automerge change+save, view, keyword add), to find the hot spot. */
import * as A from '@automerge/automerge';
import { toMemory, type MemoryDoc } from '../../src/domain/Memory.js';
import { mulberry32, syntheticMemory } from './corpus.js';

const n = 5000;
const rand = mulberry32(1);
const items = Array.from({ length: n }, (_, i) => syntheticMemory(rand, i));
const time = (label: string, fn: (i: number) => void) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  console.log(`${label}: ${((performance.now() - t0) / n * 1000).toFixed(0)} µs/op`);
};
const docs: A.Doc<MemoryDoc>[] = [];
time('A.init+change', (i) => {
  const it = items[i]!;
  docs[i] = A.change(A.init<MemoryDoc>({ actor: 'aa'.repeat(16) }), { message: '{"machine":"m","agent":"a","action":"create"}', time: 1 }, (d) => {
    Object.assign(d, { v: 1, id: crypto.randomUUID(), content: it.content, category: it.category, tags: it.tags, context: '', project: it.project, scope: 'mesh', metadata: {}, machine: 'm', agent: 'a', created_at: 1, updated_at: 1, updated_by: 'a', deleted: false, deleted_at: null, deleted_reason: null });
  });
});
time('A.save', (i) => void A.save(docs[i]!));
const mems = docs.map(toMemory);
time('toMemory', (i) => void toMemory(docs[i]!));
time('JSON view', (i) => void JSON.stringify(mems[i]));
