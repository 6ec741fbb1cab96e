import type { Collection } from '../types.js';

/** LevelDB key layout. Keys sort by collection so a collection is one contiguous range. */
export function docKey(collection: Collection, id: string): string {
  return `${collection}/${id}`;
}

/** Log keys are zero-padded so lexicographic order is numeric order. */
export function logKey(seq: number): string {
  return seq.toString().padStart(16, '0');
}

export function parseLogKey(key: string): number {
  return Number.parseInt(key, 10);
}
