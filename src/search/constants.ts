/** Search-specific limits and tuning, each with the reason for its value. */

/** Id of the embedding model shipped in the repo (`src/search/embedder/models/<id>/`); works offline. */
export const DEFAULT_EMBEDDING_MODEL_ID = 'hivemesh-static-use-v1';

/**
 * Texts per call into the transformers.js pipeline. Padding makes a batch cost its longest text,
 * so very large batches waste work; 64 measured fastest for the default model on 2 cores.
 */
export const EMBED_BATCH_SIZE = 64;

/** HNSW graph degree. 16 is hnswlib's recommended default for 100–1,000-d vectors: good recall at modest memory (~128 B/vector of links). */
export const HNSW_M = 16;

/** Build-time candidate list. 200 gives a well-connected graph; higher costs build time for little recall at our sizes. */
export const HNSW_EF_CONSTRUCTION = 200;

/**
 * Query-time candidate list, chosen with `scripts/bench/vector.ts` at 100k vectors of the default
 * model: recall@10 vs brute force 0.954 at 32, 0.988 at 64, 0.995 at 100 (p50 0.47 ms). 100 leaves
 * margin for filtered searches and for data less regular than the synthetic corpus.
 */
export const HNSW_EF_SEARCH = 100;

/** Fixed so two builds from the same inputs give the same graph (indexes are derived and must be reproducible). */
export const HNSW_RANDOM_SEED = 100;

/** Initial capacity of a new index; small so an empty home costs little, it grows as needed. */
export const HNSW_INITIAL_CAPACITY = 1_024;

/** Capacity multiplier when the index is full: doubling keeps the number of (costly, copying) resizes logarithmic. */
export const HNSW_GROWTH_FACTOR = 2;

/**
 * Sidecar format version; a mismatch makes `open` report the index as stale so it is rebuilt.
 * 2: the sidecar carries the index file's SHA-256, checked before hnswlib reads the file.
 */
export const HNSW_FORMAT_VERSION = 2;


/** Vector candidates fetched per requested result, so filters still leave enough. */
export const SEMANTIC_OVERFETCH = 5;
export const SEMANTIC_MIN_CANDIDATES = 50;
/** Length of each ranked list (keyword, semantic) fed to the hybrid score fusion. */
export const HYBRID_LIST_LENGTH = 50;
/**
 * Weights of the semantic and the thesaurus-expansion evidence in score fusion (keyword = 1; see
 * scoreFusion.ts). Tuned together on half the development queries of the labelled set
 * (scripts/bench/search-quality.ts --sweep, even-numbered half A) with the bundled static model
 * and thesaurus: 0.1 / 0.7 gave the best recall@5 on A (0.936); checked on half B (0.894) and on
 * the held-out set (0.944), never tuned on. Larger semantic weights let weak vector neighbours
 * push exact-token hits down. A stronger model (embedding.model in config) deserves more.
 */
export const HYBRID_SEMANTIC_WEIGHT = 0.1;
/**
 * In hybrid mode a memory that holds none of the query's words (nor its thesaurus terms) is kept
 * only at this cosine or above. The bundled static model scores unrelated text at 0.17-0.44
 * against this store (8 off-topic queries, top hit each) and relevant memories at a median of 0.36,
 * so meaning alone is weak evidence: below this floor such hits only padded the list (issue 15).
 * Measured on the search-quality sets: see BENCHMARKS.md, issue 15.
 */
export const HYBRID_SEMANTIC_ONLY_MIN_SIMILARITY = 0.5;
export const HYBRID_EXPANSION_WEIGHT = 0.7;
/** Reciprocal rank fusion constant from Cormack et al. (2009): damps the head so no single list dominates. */
export const RRF_K = 60;
/**
 * A tag filter carried by at most this many memories reads the tag's own rows instead of walking
 * the update-ordered index (MemoryIndex.list): reading 2,000 rows and sorting them costs a few ms,
 * walking 100k live memories for a handful of broadcasts ~30 ms.
 */
export const RARE_TAG_ROWS = 2_000;
