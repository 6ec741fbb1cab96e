import { RRF_K } from './constants.js';

/** One item of a fused list: its id, its fused score, and its 1-based rank in each input list that had it. */
export interface FusedHit {
  id: string;
  score: number;
  ranks: (number | undefined)[];
}

export interface FusionOptions {
  /** Rank damping constant; larger flattens the difference between top and lower ranks. Default RRF_K (60). */
  k?: number;
  /** Per-list weights (default 1 each), e.g. to trust keyword hits more for code-like queries. */
  weights?: number[];
}

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): each list is ordered best
 * first, and an item scores Σ weightᵢ / (k + rankᵢ) over the lists it appears in (rank 1-based).
 * Only ranks matter, so lists with incomparable scores (BM25, cosine) combine without
 * calibration, and an item found by several lists rises above one found by a single list.
 *
 * Pure: the result is sorted by score, ties broken by id so equal inputs give equal output.
 * An id repeated within one list counts at its best rank.
 */
export function reciprocalRankFusion(lists: readonly (readonly string[])[], opts: FusionOptions = {}): FusedHit[] {
  const k = opts.k ?? RRF_K;
  if (!(k >= 0)) throw new RangeError(`RRF k must be >= 0, got ${k}`);
  const fused = new Map<string, FusedHit>();
  lists.forEach((list, li) => {
    const weight = opts.weights?.[li] ?? 1;
    list.forEach((id, i) => {
      let hit = fused.get(id);
      if (!hit) {
        hit = { id, score: 0, ranks: new Array<number | undefined>(lists.length).fill(undefined) };
        fused.set(id, hit);
      }
      if (hit.ranks[li] !== undefined) return;
      hit.ranks[li] = i + 1;
      hit.score += weight / (k + i + 1);
    });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
