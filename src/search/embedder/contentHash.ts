import { createHash } from 'node:crypto';

/**
 * The hash that keys an embedding: sha256 (hex) of the exact text given to the embedder.
 * Together with the model id it names a vector, so identical content is never embedded twice
 * and a peer can reuse a vector it already has. Hash what is embedded (after any assembly of
 * content, tags and so on), not the memory, or two different inputs would share a key.
 */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The cache key of an embedding: the model's id and the content hash, which together decide the vector. */
export function embeddingKey(modelId: string, text: string): string {
  return `${modelId}:${contentHash(text)}`;
}
