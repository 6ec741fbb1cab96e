/** One nearest-neighbour hit: the key it was added under and its cosine similarity to the query (1 = same direction). */
export interface VectorHit {
  key: string;
  score: number;
}

/**
 * The vector index seam: approximate nearest neighbours by cosine similarity over vectors
 * keyed by string (memory ids). It is derived data: the owner can always drop it and re-add
 * every vector. Mutations are in memory until `save()`.
 */
export interface VectorIndex {
  /** Length every added and queried vector must have. */
  readonly dimension: number;
  /** Live (not removed) vectors. */
  readonly size: number;
  /** Adds `vector` under `key`; adding an existing key replaces its vector. */
  add(key: string, vector: Float32Array): void;
  /** Removes `key`; a missing key is ignored. */
  remove(key: string): void;
  has(key: string): boolean;
  /**
   * Up to `k` nearest live vectors, best first. `filter` (when given) is consulted during the
   * search, so rejected keys do not use up the `k` slots.
   */
  search(vector: Float32Array, k: number, filter?: (key: string) => boolean): VectorHit[];
  /** Persists the index atomically: a crash leaves the previous save or this one, never a mix. */
  save(): Promise<void>;
}

/**
 * What opening a saved index found. `loaded`: the saved index, ready. Otherwise (`missing`, or
 * `stale` / `corrupt` with a reason) a new empty index, and the owner re-adds every vector.
 */
export type VectorIndexOpened = { state: 'loaded'; index: VectorIndex } | { state: 'missing' | 'stale' | 'corrupt'; index: VectorIndex; reason: string };

/** Where one owner's vector index is kept: open the saved one, or start a new empty one (saved over it later). */
export interface VectorIndexFiles {
  open(): Promise<VectorIndexOpened>;
  create(): VectorIndex;
}
