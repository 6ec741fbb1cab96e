import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { ERASED_HERE_KEPT } from '../../../src/constants.js';
import { useTempStore } from '../../helpers/tempStore.js';

/**
 * The keys a store remembers as erased by this process are bounded: retention sweeps and
 * forgotten agents erase documents for as long as the daemon runs, and one key each would only
 * grow. The newest are still refused to a writer, and every erased key still has its tombstone.
 */
describe('DocStore: erased keys remembered in memory', () => {
  const t = useTempStore();

  it(`keeps the newest ${ERASED_HERE_KEPT} erased keys, and still refuses writes to them`, async () => {
    const erased = ERASED_HERE_KEPT + 500;
    const tomb = { erasedAt: 1, machine: 'm', agent: 'a' };
    await Promise.all(Array.from({ length: erased }, (_, i) => t.store.erase('memories', `gone-${i}`, tomb)));
    expect(t.store.erasedHereCount).toBe(ERASED_HERE_KEPT);
    const rewrite = t.store.mutate<{ text: string }>('memories', `gone-${erased - 1}`, (current) => ({ doc: A.change(current ?? A.init<{ text: string }>(), (d) => void (d.text = 'back')), view: { text: 'back' } }));
    await expect(rewrite).rejects.toMatchObject({ code: 'ERASED' });
    expect(await t.store.tombstone('memories', 'gone-0')).toBeDefined();
  });
});
