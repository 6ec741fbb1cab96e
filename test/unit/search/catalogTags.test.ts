import { afterEach, describe, expect, it } from 'vitest';
import { RARE_TAG_ROWS } from '../../../src/search/constants.js';
import { ACTOR, openStack } from '../../helpers/memoryStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

/**
 * A tag filter answers the same whether the tag is rare (its own rows drive the query, see
 * MemoryIndex.list) or frequent (the update-ordered walk): newest first, deleted left out, `since`
 * and the limit applied.
 */
describe('catalog list by tag', () => {
  const homes: ReturnType<typeof tmpHome>[] = [];
  afterEach(() => homes.splice(0).forEach((h) => h.cleanup()));

  it('lists a rare and a frequent tag newest first, without deleted ones, within since and limit', async () => {
    const home = tmpHome();
    homes.push(home);
    let now = 1_800_000_000_000;
    const stack = await openStack(home.dir, { now: () => now });
    try {
      const frequent = RARE_TAG_ROWS + 50;
      const rare: string[] = [];
      for (let i = 0; i < frequent; i++) {
        now += 1000;
        const tags = i % 500 === 0 ? ['common', 'broadcast'] : ['common'];
        const m = await stack.memories.store({ content: `note ${i}`, tags }, ACTOR);
        if (tags.includes('broadcast')) rare.push(m.id);
      }
      await stack.memories.delete({ memory_id: rare[1]! }, ACTOR);
      const live = rare.filter((_, i) => i !== 1).reverse();
      expect(await ids(stack.memories.listLive({ tags: ['broadcast'] }, 10))).toEqual(live);
      expect(await ids(stack.memories.listLive({ tags: ['broadcast'] }, 2))).toEqual(live.slice(0, 2));
      // `since` between the second-newest and the newest broadcast.
      expect(await ids(stack.memories.listLive({ tags: ['broadcast'], since: now - 400 * 1000 }, 10))).toEqual(live.slice(0, 1));
      const common = await stack.memories.listLive({ tags: ['common'] }, 3);
      expect(common.map((m) => m.content)).toEqual([`note ${frequent - 1}`, `note ${frequent - 2}`, `note ${frequent - 3}`]);
    } finally {
      await stack.close();
    }
    // It writes RARE_TAG_ROWS + 50 real memories (each embedded, indexed, fsynced and checked for
    // secrets: ~15 ms apiece on this 2-core machine, several times that under a loaded full suite).
  }, 240_000);
});

async function ids(p: Promise<{ id: string }[]>): Promise<string[]> {
  return (await p).map((m) => m.id);
}
