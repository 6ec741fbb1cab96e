import { z } from 'zod';

/**
 * The sidecar saved beside an hnswlib index file: which model and dimension the vectors come
 * from, which index file is current, and the string key of every integer label. It is written
 * last, so it is the commit point of a save.
 */
export const HnswSidecarSchema = z.object({
  version: z.number().int(),
  modelId: z.string(),
  dimension: z.number().int().positive(),
  space: z.literal('cosine'),
  m: z.number().int().positive(),
  efConstruction: z.number().int().positive(),
  /** The index file in the same directory that this sidecar describes. */
  file: z.string().regex(/^vectors-[0-9a-f]+\.hnsw$/),
  /** SHA-256 of that file as written: verified before hnswlib parses it (it trusts its input and crashes on a damaged one). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Labels are never reused, so a label can never point at another key's old vector. */
  nextLabel: z.number().int().nonnegative(),
  /** Slots held by removed vectors; hnswlib reuses them before the index has to grow. */
  deletedSlots: z.number().int().nonnegative(),
  /** Live keys and their labels, as two parallel arrays (compact for 100k entries). */
  keys: z.array(z.string()),
  labels: z.array(z.number().int().nonnegative()),
});

export type HnswSidecar = z.infer<typeof HnswSidecarSchema>;

export const SIDECAR_FILE = 'vectors.json';

/**
 * Written just before hnswlib reads an index file and removed once it has: found at the next
 * open, it means the process died inside the native read, and the files are moved aside instead
 * of being read again (no crash loop, whatever the cause).
 */
export const LOADING_MARKER = 'loading';
