import { describe, expect, it } from 'vitest';
import { scoreFusion } from '../../../src/search/scoreFusion.js';

const hits = (...xs: [string, number][]) => xs.map(([id, score]) => ({ id, score }));

describe('scoreFusion', () => {
  it('scales keyword scores by the best one and cosines between the first and last candidate', () => {
    const fused = scoreFusion({ keyword: hits(['a', 8], ['b', 4]), semantic: hits(['b', 0.9], ['c', 0.7], ['d', 0.5]), semanticWeight: 0.5 });
    // "d" is the weakest vector candidate and no keyword hit: no evidence, so not a result.
    expect(fused.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    [1, 1, 0.25].forEach((score, i) => expect(fused[i]!.score).toBeCloseTo(score, 12));
  });

  it('keeps a clear keyword winner above a strong vector neighbour, and breaks keyword near-ties by meaning', () => {
    const clear = scoreFusion({ keyword: hits(['exact', 10], ['other', 2]), semantic: hits(['other', 0.8], ['x', 0.3]), semanticWeight: 0.15 });
    expect(clear[0]!.id).toBe('exact');
    const tie = scoreFusion({ keyword: hits(['a', 5], ['b', 4.9]), semantic: hits(['b', 0.8], ['a', 0.4]), semanticWeight: 0.15 });
    expect(tie.map((h) => h.id)).toEqual(['b', 'a']);
  });

  it('lets semantic-only candidates in below the keyword hits, and works with either list empty', () => {
    expect(scoreFusion({ keyword: [], semantic: hits(['s', 0.4]), semanticWeight: 0.15 })).toEqual(hits(['s', 0.15]));
    expect(scoreFusion({ keyword: hits(['k', 3]), semantic: [], semanticWeight: 0.15 })).toEqual(hits(['k', 1]));
    expect(scoreFusion({ keyword: [], semantic: [], semanticWeight: 0.15 })).toEqual([]);
  });

  it('breaks ties by id, counts a repeated id once, and rejects a negative weight', () => {
    expect(scoreFusion({ keyword: hits(['b', 1], ['a', 1]), semantic: [], semanticWeight: 0 }).map((h) => h.id)).toEqual(['a', 'b']);
    expect(scoreFusion({ keyword: [], semantic: hits(['x', 0.5], ['y', 0.4]), semanticWeight: 0 })).toEqual([]);
    expect(scoreFusion({ keyword: hits(['a', 2], ['a', 2]), semantic: [], semanticWeight: 0 })).toEqual(hits(['a', 1]));
    expect(() => scoreFusion({ keyword: [], semantic: [], semanticWeight: -1 })).toThrow(RangeError);
  });

  it('adds expansion hits on the BM25 scale of both lists, at their weight', () => {
    const fused = scoreFusion({ keyword: hits(['a', 4]), semantic: [], semanticWeight: 0.15, expansion: hits(['b', 10], ['a', 5]), expansionWeight: 0.5 });
    expect(fused.map((h) => h.id)).toEqual(['a', 'b']);
    expect(fused[0]!.score).toBeCloseTo(1.25, 12);
    expect(fused[1]!.score).toBeCloseTo(0.5, 12);
    // Weaker than the query's own best match: scaled by that, so it stays small.
    const weak = scoreFusion({ keyword: hits(['a', 10]), semantic: [], semanticWeight: 0, expansion: hits(['b', 5]), expansionWeight: 0.5 });
    expect(weak).toEqual(hits(['a', 1], ['b', 0.25]));
    expect(scoreFusion({ keyword: hits(['a', 4]), semantic: [], semanticWeight: 0, expansion: hits(['b', 1]), expansionWeight: 0 })).toEqual(hits(['a', 1]));
    expect(() => scoreFusion({ keyword: [], semantic: [], semanticWeight: 0, expansionWeight: -1 })).toThrow(RangeError);
  });
});
