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
