/**
 * The embedding seam: turns texts into unit-length vectors of a fixed dimension. Every
 * implementation (and any test double) passes `test/helpers/embedderAcceptance.ts`.
 *
 * Vectors are L2-normalised so cosine similarity is a dot product and indexes can use it
 * directly. The same text always gives the same vector for a given `modelId`, which is why
 * embeddings can be cached by (modelId, contentHash) and shared between peers.
 */
export interface Embedder {
  /** Identifies the model (and so the vector space); stored with every index built from it. */
  readonly modelId: string;
  /** Length of every vector `embed` returns. */
  readonly dimension: number;
  /**
   * Embeds `texts` in order, one vector per text; `embed([])` gives `[]`. Batching is internal,
   * so callers may pass any number of texts. Rejects with the signal's reason when aborted.
   */
  embed(texts: string[], opts?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  /** Releases the model (ONNX session); the embedder is unusable afterwards. */
  close?(): Promise<void>;
}
