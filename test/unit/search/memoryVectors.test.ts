import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTOR } from '../../helpers/memoryStack.js';
import { openSearchStack } from '../../helpers/searchStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

/** MemoryVectors over the real store, embedder and HNSW index. */
describe('MemoryVectors', () => {
  let home: ReturnType<typeof tmpHome>;
  let stack: Awaited<ReturnType<typeof openSearchStack>>;

  beforeEach(async () => {
    home = tmpHome();
    stack = await openSearchStack(home.dir);
    await stack.vectors.rebuild();
  });
  afterEach(async () => {
    await stack.close();
    home.cleanup();
  });

  // The queue was idle, so the drain took the job at once; whenIndexed saw no queued job and the
  // write answered before its vector was in (semantic search missed a memory just stored).
  it('a write answers once its vector is in, even when the embedder had already taken it off the queue', async () => {
    const m = await stack.memories.store({ content: 'the zqinflight runbook: restart the broker, then drain the lag' }, ACTOR);
    expect(stack.vectors.holds(m.id)).toBe(true);
    const found = await stack.memories.search({ query: 'the zqinflight runbook: restart the broker, then drain the lag', mode: 'semantic', limit: 1 });
    expect(found.results.map((r) => r.id)).toEqual([m.id]);
  });
});
