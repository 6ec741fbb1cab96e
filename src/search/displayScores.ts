import type { ScoredHit } from './scoreFusion.js';

/**
 * The `score` a search result carries, per mode (documented in the README):
 * - keyword: BM25 relative to the best hit of the query: 1 for the best match, 0.5 for a match
 *   half as strong. Raw BM25 depends on the store's size (in a tiny store a lone exact match
 *   scores 0.000005), so it is not shown.
 * - semantic: the cosine similarity of the query and the memory, in (0, 1].
 * - hybrid: the fused evidence divided by its full weight (a hit that is both the best keyword match
 *   and the nearest by meaning reads 1), capped at 1.
 */
export function relativeScores(hits: readonly ScoredHit[]): ScoredHit[] {
  const best = Math.max(0, ...hits.map((h) => h.score));
  return hits.map((h) => ({ id: h.id, score: best > 0 ? Math.max(0, h.score) / best : 0 }));
}

export function hybridScores(hits: readonly ScoredHit[], semanticWeight: number): ScoredHit[] {
  return hits.map((h) => ({ id: h.id, score: Math.min(1, h.score / (1 + semanticWeight)) }));
}
