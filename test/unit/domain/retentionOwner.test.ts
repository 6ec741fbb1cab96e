import * as A from '@automerge/automerge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOptions } from '../../../src/domain/changeOptions.js';
import { toMemory, type MemoryDoc } from '../../../src/domain/Memory.js';
import { silentLogger } from '../../../src/log.js';
import { HeldTombstones } from '../../../src/sync/heldTombstones.js';
import { ACTOR, openStack } from '../../helpers/memoryStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

const DAY = 86_400_000;

/** No host's clock alone may erase data elsewhere (#20): owner-decided retention and held future erasures, on a real store. */
describe('time-triggered erasure', () => {
  let home: ReturnType<typeof tmpHome>;
  let stack: Awaited<ReturnType<typeof openStack>>;
  let clock = Date.parse('2026-12-02T08:00:00Z');

  beforeEach(async () => {
    home = tmpHome();
    clock = Date.parse('2026-12-02T08:00:00Z');
    stack = await openStack(home.dir, { now: () => clock });
  });
  afterEach(async () => {
    await stack.close();
    home.cleanup();
  });

  /** A soft delete made by another host (its own Automerge actor and name), merged here. */
  async function deletedElsewhere(id: string, machine: string): Promise<void> {
    await stack.store.mutate<MemoryDoc>('memories', id, (current) => {
      const theirs = A.change(A.clone(current!, { actor: 'bb'.repeat(16) }), changeOptions<MemoryDoc>({ machine, agent: 'x' }, 'delete', clock), (d) => {
        d.deleted = true;
        d.deleted_at = clock;
      });
      const doc = A.merge(current!, theirs);
      return { doc, view: toMemory(doc), scope: 'mesh' };
    });
  }

  it('leaves retention to the host that deleted the memory, however far ahead this clock runs', async () => {
    const mine = await stack.memories.store({ content: 'deleted here' }, ACTOR);
    const theirs = await stack.memories.store({ content: 'deleted on host-b' }, ACTOR);
    await stack.memories.delete({ memory_id: mine.id }, ACTOR);
    await deletedElsewhere(theirs.id, 'host-b');
    clock += 40 * DAY;
    expect(await stack.memories.purgeExpired(ACTOR)).toBe(1);
    await expect(stack.memories.retrieve(mine.id)).rejects.toMatchObject({ code: 'ERASED' });
    expect((await stack.memories.retrieve(theirs.id)).deleted).toBe(true);
  });

  it('holds an erasure dated beyond the skew bound until this clock reaches it, and drops a held retention erasure of a memory recovered meanwhile', async () => {
    const kept = await stack.memories.store({ content: 'hard-deleted on a host 40 days ahead' }, ACTOR);
    const recovered = await stack.memories.store({ content: 'expired by a host 40 days ahead, then recovered here' }, ACTOR);
    await stack.memories.delete({ memory_id: recovered.id }, ACTOR);
    await stack.memories.recover(recovered.id, ACTOR);
    const erased: string[] = [];
    const held = new HeldTombstones({
      store: stack.store,
      logger: silentLogger(),
      now: () => clock,
      erase: async (_peer, c, id, tomb) => {
        erased.push(id);
        await stack.store.erase(c, id, tomb);
      },
    });
    await held.start();
    try {
      const future = { erasedAt: clock + 40 * DAY, machine: 'host-b', agent: 'x' };
      expect(held.isFuture({ ...future, erasedAt: clock + 4 * 60_000 })).toBe(false);
      expect(held.isFuture(future)).toBe(true);
      await held.hold('peer-b', 'memories', kept.id, future);
      await held.hold('peer-b', 'memories', recovered.id, { ...future, reason: 'retention expired' });
      clock += 39 * DAY;
      await held.releaseDue();
      expect(erased).toEqual([]);
      expect(held.list()).toHaveLength(2);
      clock += DAY;
      await held.releaseDue();
      expect(erased).toEqual([kept.id]);
      expect((await stack.memories.retrieve(recovered.id)).deleted).toBe(false);
      expect(held.list()).toEqual([]);
    } finally {
      held.stop();
    }
  });
});
