import { MeshError } from '../errors.js';
import { HYBRID_EXPANSION_WEIGHT, HYBRID_LIST_LENGTH, HYBRID_SEMANTIC_ONLY_MIN_SIMILARITY, HYBRID_SEMANTIC_WEIGHT, SEMANTIC_MIN_CANDIDATES, SEMANTIC_OVERFETCH } from './constants.js';
import { hybridScores, relativeScores } from './displayScores.js';
import type { CatalogFilter, MemoryIndex } from './MemoryIndex.js';
import type { MemoryVectors } from './MemoryVectors.js';
import { scoreFusion } from './scoreFusion.js';
import type { Thesaurus } from './Thesaurus.js';

export type SearchMode = 'hybrid' | 'semantic' | 'keyword';

/** What ranking reads: the keyword index and catalog, the vector index once loaded, the thesaurus if any. */
export interface RankingSources {
  index: Pick<MemoryIndex, 'keywordSearch' | 'phraseSearch' | 'filterIds'>;
  vectors?: Pick<MemoryVectors, 'search'> | undefined;
  thesaurus?: Pick<Thesaurus, 'expand'> | undefined;
}

export interface Ranking {
  /** Memory ids, best first, with the score shown to the caller. */
  hits: { id: string; score: number }[];
  /** The mode that ranked them: hybrid asked without a loaded model ranks by keywords. */
  mode: SearchMode;
  /** Thesaurus terms the query was expanded with (hybrid only). */
  expanded: string[];
}

/**
 * Ranks memories for a query: keyword (BM25 over the keyword index), semantic (nearest vectors,
 * filtered by the catalog) or hybrid (both fused by score, with the thesaurus' equivalents of the
 * query's terms as a third, weaker list). The weights and floors are in constants.ts.
 */
export async function rankMemories(sources: RankingSources, query: string, filter: CatalogFilter, requested: SearchMode, limit: number): Promise<Ranking> {
  const { index, vectors } = sources;
  if (requested === 'semantic' && !vectors) {
    throw new MeshError('INVALID_INPUT', 'semantic search needs the embedding model, which is not loaded on this host (see `mesh model`); use mode "keyword"');
  }
  // Hybrid (the default) also searches the thesaurus' equivalents of the query's terms; keyword mode stays literal.
  const expansion = requested === 'hybrid' ? sources.thesaurus?.expand(query) : undefined;
  const expanded = expansion?.added.length ? index.phraseSearch(expansion.added, filter, HYBRID_LIST_LENGTH) : [];
  const terms = expansion?.added.map((w) => w.join(' ')) ?? [];
  const fuse = (semantic: { id: string; score: number }[]) => {
    const keyword = index.keywordSearch(query, filter, HYBRID_LIST_LENGTH);
    const fused = scoreFusion({ keyword, semantic, semanticWeight: HYBRID_SEMANTIC_WEIGHT, expansion: expanded, expansionWeight: HYBRID_EXPANSION_WEIGHT });
    // Evidence: a word of the query (or of its thesaurus terms), or a meaning close enough on its own.
    const words = new Set([...keyword, ...expanded].map((h) => h.id));
    const near = new Set(semantic.filter((h) => h.score >= HYBRID_SEMANTIC_ONLY_MIN_SIMILARITY).map((h) => h.id));
    return hybridScores(fused.filter((h) => words.has(h.id) || near.has(h.id)).slice(0, limit), HYBRID_SEMANTIC_WEIGHT);
  };
  if (requested === 'keyword') return { hits: relativeScores(index.keywordSearch(query, filter, limit)), mode: 'keyword', expanded: terms };
  if (!vectors) {
    const hits = expanded.length > 0 ? fuse([]) : relativeScores(index.keywordSearch(query, filter, limit));
    return { hits, mode: 'keyword', expanded: terms };
  }
  // Over-fetch vector candidates, then filter them by the catalog (deleted, category, tags, time…).
  const candidates = await vectors.search(query, Math.max(limit * SEMANTIC_OVERFETCH, SEMANTIC_MIN_CANDIDATES));
  const allowed = new Set(index.filterIds(candidates.map((c) => c.key), filter));
  const semantic = candidates.filter((c) => allowed.has(c.key)).map((c) => ({ id: c.key, score: c.score }));
  // Semantic mode answers what is nearest by meaning, but never what points away from the query (cosine <= 0).
  const hits = requested === 'semantic' ? semantic.filter((h) => h.score > 0).slice(0, limit) : fuse(semantic.slice(0, HYBRID_LIST_LENGTH));
  return { hits, mode: requested, expanded: terms };
}
