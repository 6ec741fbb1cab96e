import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Memory } from '../../../src/domain/Memory.js';
import { HnswVectorIndex } from '../../../src/search/vector/HnswVectorIndex.js';
import { ACTOR } from '../../helpers/memoryStack.js';
import { openSearchStack } from '../../helpers/searchStack.js';
import { filesContaining, tmpHome } from '../../helpers/tmpHome.js';

/**
 * The one erasure path (domain/Eraser.ts, with the daemon's after-erase step, daemon/Scrubber.ts)
 * over the real store, keyword index, embedder and vector index: a local hard delete, a retention
 * sweep and an erasure replicated from a peer each leave no trace of the memory in the store, the
 * keyword index, the vector index (in memory and as saved) or any file of the home.
 */
describe('one erasure path', () => {
  let home: ReturnType<typeof tmpHome>;
  let stack: Awaited<ReturnType<typeof openSearchStack>>;
  let clock = Date.parse('2026-11-01T00:00:00Z');
  const now = () => clock;

  beforeEach(async () => {
    home = tmpHome();
    clock = Date.parse('2026-11-01T00:00:00Z');
    stack = await openSearchStack(home.dir, { now });
    // A fresh home builds its (empty) vector index first; memories are written after it.
    await stack.vectors.rebuild();
  });
  afterEach(async () => {
    await stack.close();
    home.cleanup();
  });

  /** Stores a memory carrying `token`, embedded, and reopens the stack so its vector is saved on disk too. */
  async function remembered(token: string): Promise<string> {
    const m = await stack.memories.store({ content: `the ${token} runbook: restart the broker, then drain the consumer lag` }, ACTOR);
    await stack.vectors.whenIndexed(m.id);
    expect(stack.vectors.holds(m.id)).toBe(true);
    await stack.close();
    stack = await openSearchStack(home.dir, { now });
    expect(await savedVectorsHold(m.id)).toBe(true);
    return m.id;
  }

  async function savedVectorsHold(id: string): Promise<boolean> {
    const { model, dimension } = stack.vectors.status();
    const opened = await HnswVectorIndex.open(join(home.dir, 'index', 'vectors', 'hnsw'), { modelId: model, dimension });
    return opened.state === 'loaded' && opened.index.has(id);
  }

  async function expectNoTrace(id: string, token: string): Promise<void> {
    expect(await stack.store.view<Memory>('memories', id), 'store view').toBeUndefined();
    expect(await stack.store.tombstone('memories', id), 'tombstone').toBeDefined();
    expect(stack.index.keywordSearch(token, { includeDeleted: true }, 10), 'keyword index').toEqual([]);
    expect(stack.vectors.holds(id), 'vector index in memory').toBe(false);
    expect(await savedVectorsHold(id), 'vector index as saved').toBe(false);
    expect(await filesContaining(home.dir, token), 'files of the home').toEqual([]);
  }

  it('a local hard delete answers once no trace is left', async () => {
    const id = await remembered('zqlocalerase');
    await stack.memories.delete({ memory_id: id, hard_delete: true }, ACTOR);
    await expectNoTrace(id, 'zqlocalerase');
  });

  it('a retention sweep erases a memory past retention with no trace left', async () => {
    const id = await remembered('zqretention');
    await stack.memories.delete({ memory_id: id }, ACTOR);
    clock += 31 * 86_400_000;
    expect(await stack.memories.purgeExpired(ACTOR)).toBe(1);
    await expectNoTrace(id, 'zqretention');
  });

  it('an erasure replicated from a peer, applied as the sync engine applies it, leaves no trace', async () => {
    const id = await remembered('zqremoteerase');
    // DocApplier.applyTombstone: the store erases under the peer's tombstone, then the host's after-erase step.
    await stack.store.erase('memories', id, { erasedAt: clock, machine: 'other-host', agent: 'someone', by: 'peer-b' }, { origin: 'peer-b' });
    await stack.eraser.erased();
    await expectNoTrace(id, 'zqremoteerase');
  });

  it('a batch of erasures shares one after-erase step, awaited before the batch returns', async () => {
    const a = await remembered('zqbatchone');
    const b = (await stack.memories.store({ content: 'zqbatchtwo second note' }, ACTOR)).id;
    let steps = 0;
    const scrub = stack.scrubber.scrub.bind(stack.scrubber);
    stack.scrubber.scrub = () => {
      steps++;
      return scrub();
    };
    await stack.eraser.batch(async () => {
      await stack.memories.erase(a, ACTOR);
      await stack.memories.erase(b, ACTOR);
      expect(steps).toBe(0);
    });
    expect(steps).toBe(1);
    await expectNoTrace(a, 'zqbatchone');
  });
});
