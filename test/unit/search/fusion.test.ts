import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from '../../../src/search/fusion.js';

describe('reciprocalRankFusion', () => {
  it('scores Σ 1/(k + rank) and ranks items found by several lists first', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['c', 'a', 'd'],
    ]);
    expect(fused.map((h) => h.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0]!.score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[0]!.ranks).toEqual([1, 2]);
    expect(fused.find((h) => h.id === 'd')!.ranks).toEqual([undefined, 3]);
  });

  it('honours k and per-list weights', () => {
    const fused = reciprocalRankFusion([['a'], ['b']], { k: 0, weights: [1, 3] });
    expect(fused.map((h) => [h.id, h.score])).toEqual([
      ['b', 3],
      ['a', 1],
    ]);
  });

  it('breaks ties by id, counts a repeated id at its best rank, and handles empty input', () => {
    expect(reciprocalRankFusion([['b'], ['a']]).map((h) => h.id)).toEqual(['a', 'b']);
    expect(reciprocalRankFusion([['a', 'a']])[0]!.score).toBeCloseTo(1 / 61, 12);
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
  });

  it('rejects a negative k', () => {
    expect(() => reciprocalRankFusion([['a']], { k: -1 })).toThrow(RangeError);
  });
});
