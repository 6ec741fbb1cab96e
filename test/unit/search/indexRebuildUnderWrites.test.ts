import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collection } from '../../../src/types.js';
import { ACTOR, openStack } from '../../helpers/memoryStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

/**
 * Issue 16 item 5(b), a relative of issue 18 found in the audit of the memory path: the keyword
 * index rebuilt while memories are written (`mesh reindex`, or a damaged file rebuilt in the
 * background) replayed the writes committed during its scan from views it read one by one, with
 * awaits, and applied them all at the end — over any newer commit of the same memory the commit
 * listener had applied meanwhile. The index then kept an older text until the memory's next
 * write (keyword search missed the newest words and found the old ones; the listings' filters
 * read the old row). The two moments are fixed here by wrapping the store's real reads: the
 * writes happen exactly when the rebuild starts its scan and while it reads a view.
 */
describe('the keyword index rebuilt while memories are written', () => {
  let home: ReturnType<typeof tmpHome>;
  let stack: Awaited<ReturnType<typeof openStack>>;

  beforeEach(async () => {
    home = tmpHome();
    stack = await openStack(home.dir);
  });
  afterEach(async () => {
    await stack.close();
    home.cleanup();
  });

  const edit = (id: string, content: string) => stack.memories.update({ memory_id: id, content }, ACTOR);
  const found = async (word: string) => (await stack.memories.search({ query: word, mode: 'keyword', limit: 5 })).results.map((r) => r.id);

  it('keeps the newest text of a memory written during the rebuild, not a view the rebuild read before that write', async () => {
    const x = await stack.memories.store({ content: 'runbook zqfirst: restart the broker' }, ACTOR);
    const y = await stack.memories.store({ content: 'another note' }, ACTOR);
    const store = stack.store;
    const scanViews = store.scanViews.bind(store);
    const view = store.view.bind(store);
    let step = 0;
    // As the rebuild starts its scan, both memories are written (after the sequence it replays from).
    store.scanViews = async function* <T>(collection: Collection): AsyncGenerator<[string, T]> {
      if (step === 0) {
        step = 1;
        await edit(x.id, 'runbook zqsecond: restart the broker');
        await edit(y.id, 'another note, edited');
      }
      yield* scanViews<T>(collection);
    };
    // The rebuild reads those writes' views back one by one; while it reads y's, x is written again.
    store.view = async <T>(collection: Collection, id: string): Promise<T | undefined> => {
      const read = await view<T>(collection, id);
      if (step === 1 && id === y.id) {
        step = 2;
        await edit(x.id, 'runbook zqthird: restart the broker');
      }
      return read;
    };

    await stack.index.rebuild();
    expect(step, 'precondition: all three writes landed inside the rebuild').toBe(2);
    expect(await found('zqthird')).toEqual([x.id]);
    expect(await found('zqsecond')).toEqual([]);
    expect(await found('edited')).toEqual([y.id]);
    // The same answers as an index rebuilt with nothing written around it.
    store.scanViews = scanViews;
    store.view = view;
    await stack.index.rebuild();
    expect(await found('zqthird')).toEqual([x.id]);
    expect(await found('zqsecond')).toEqual([]);
  });
});
