import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { hasAllHeads, knownHeads } from '../../../src/sync/knownHeads.js';

type Note = { text?: string; n?: number };

describe('knownHeads', () => {
  const base = A.from<Note>({ text: 'a' });
  const ahead = A.change(A.clone(base), (d) => (d.n = 1));
  const later = A.change(A.clone(ahead), (d) => (d.n = 2));
  const unknown = 'ab'.repeat(32);

  it('keeps the heads in the history and drops the others', () => {
    expect(knownHeads(ahead, A.getHeads(base))).toEqual(A.getHeads(base));
    expect(knownHeads(ahead, [...A.getHeads(base), unknown])).toEqual(A.getHeads(base));
    expect(knownHeads(base, A.getHeads(ahead))).toEqual([]);
    expect(hasAllHeads(ahead, A.getHeads(base))).toBe(true);
    expect(hasAllHeads(base, A.getHeads(ahead))).toBe(false);
    expect(knownHeads(base, [])).toEqual([]);
  });

  it('does not count a change waiting in the queue for its dependencies as known', () => {
    // `later`'s last change depends on `ahead`'s, which `base` lacks: it waits in base's queue.
    const last = A.getChangesSince(later, A.getHeads(ahead));
    const [queued] = A.applyChanges(A.clone(base), last);
    expect(A.getHeads(queued)).toEqual(A.getHeads(base));
    expect(knownHeads(queued, A.getHeads(later))).toEqual([]);
    expect(hasAllHeads(queued, A.getHeads(later))).toBe(false);
    expect(hasAllHeads(queued, A.getHeads(base))).toBe(true);
  });
});
