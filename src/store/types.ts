import type { Collection } from '../types.js';

/** Left behind by a hard delete: no content, just enough to refuse re-importing the document. */
export interface Tombstone {
  erasedAt: number;
  machine: string;
  agent: string;
  reason?: string;
}

/** One committed write, in commit order: what derived indexes replay. */
export interface LogEntry {
  seq: number;
  collection: Collection;
  id: string;
  op: 'put' | 'erase';
}
