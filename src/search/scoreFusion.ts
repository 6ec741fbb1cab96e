/** One scored hit of an input list: higher score is better. */
export interface ScoredHit {
  id: string;
  score: number;
}

export interface ScoreFusionInput {
  /** BM25 hits, best first; scores > 0 (0 would mean "no query term matched"). */
  keyword: readonly ScoredHit[];
  /** Vector hits, best first; scores are cosine similarities. */
  semantic: readonly ScoredHit[];
  /** Weight of the semantic evidence relative to the keyword evidence (keyword = 1). */
  semanticWeight: number;
  /** BM25 hits of the terms a thesaurus added to the query (see Thesaurus.ts), best first. */
  expansion?: readonly ScoredHit[];
  /**
   * Weight of the expansion evidence (keyword = 1). Its BM25 scores come from the same index as
   * the keyword ones, so they are divided by the best of either list: expansion hits weaker than
   * the query's own best match stay small, and strong ones count fully when the query's words are weak.
   */
  expansionWeight?: number;
}

/**
 * Score-aware fusion of a keyword and a semantic list: each list's scores are rescaled to [0, 1]
 * against that list's natural zero, then added with the semantic weight.
 *
 * - BM25 has a true zero (no term matched), so keyword scores are divided by the best one: a
 *   hit half as strong as the best stays half as strong, and a list of near-equal matches stays
 *   near-equal, where rank fusion would spread them apart.
 * - Cosine has none (unrelated texts score well above 0 with a static model), so the semantic
 *   list is min-max scaled between its first and its last candidate; anything not in the list
 *   scored at most the last one and gets 0.
 *
 * Unlike reciprocal rank fusion, a clear keyword winner is not overturned by a weak vector
 * neighbour, while near-ties among keyword hits are broken by meaning.
 * A hit left at 0 (no keyword match, and the weakest of the vector candidates) carries no
 * evidence and is dropped; in a store smaller than the lists that is the one memory least like
 * the query.
 * Pure: sorted by fused score, ties broken by id so equal inputs give equal output. An id
 * repeated within a list counts at its first (best) occurrence.
 */
export function scoreFusion({ keyword, semantic, semanticWeight, expansion = [], expansionWeight = 0 }: ScoreFusionInput): ScoredHit[] {
  if (!(semanticWeight >= 0)) throw new RangeError(`semantic weight must be >= 0, got ${semanticWeight}`);
  if (!(expansionWeight >= 0)) throw new RangeError(`expansion weight must be >= 0, got ${expansionWeight}`);
  const fused = new Map<string, number>();
  const add = (hits: readonly ScoredHit[], scale: (score: number) => number, weight: number) => {
    const seen = new Set<string>();
    for (const hit of hits) {
      if (seen.has(hit.id)) continue;
      seen.add(hit.id);
      fused.set(hit.id, (fused.get(hit.id) ?? 0) + weight * scale(hit.score));
    }
  };
  const byBest = (hits: readonly ScoredHit[]) => {
    const best = Math.max(0, ...hits.map((h) => h.score));
    return (s: number) => (best > 0 ? Math.max(0, s) / best : 0);
  };
  add(keyword, byBest(keyword), 1);
  if (expansionWeight > 0) add(expansion, byBest([...keyword, ...expansion]), expansionWeight);
  if (semantic.length > 0) {
    const hi = Math.max(...semantic.map((h) => h.score));
    const lo = Math.min(...semantic.map((h) => h.score));
    // A single candidate, or all equal: every one is "the best the vectors found".
    add(semantic, (s) => (hi > lo ? (s - lo) / (hi - lo) : 1), semanticWeight);
  }
  return [...fused]
    .filter(([, score]) => score > 0)
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
