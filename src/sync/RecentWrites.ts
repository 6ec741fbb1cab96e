import { docKey } from '../store/keys.js';
import { LruCache } from '../store/LruCache.js';
import type { CommitEvent } from '../store/types.js';
import type { Collection } from '../types.js';
import { RECENT_CHANGES_DOCS } from './constants.js';

/** One document's last write: its changes, exactly those from `base` to `heads`. */
export interface RecentWrite {
  base: string[];
  heads: string[];
  changes: Uint8Array[];
}

/**
 * Each recently written document's last write, to answer a peer exactly one write behind without
 * loading the document (see RECENT_CHANGES_DOCS). Kept only when the commit says which changes
 * lead from which heads to which; any other write (an import, an erasure) forgets the document.
 */
export class RecentWrites {
  private readonly writes = new LruCache<string, RecentWrite>(RECENT_CHANGES_DOCS);

  observe(event: CommitEvent): void {
    const key = docKey(event.collection, event.id);
    // Received changes are views into a whole decoded frame (up to 8 MiB): keep copies, not the frame.
    if (event.changes && event.base) this.writes.set(key, { base: event.base, heads: event.heads, changes: event.origin === undefined ? event.changes : event.changes.map((ch) => ch.slice()) });
    else this.writes.delete(key);
  }

  /** The last write if it leads from exactly `from` to exactly `to`. */
  between(collection: Collection, id: string, from: readonly string[], to: readonly string[]): RecentWrite | undefined {
    const last = this.writes.get(docKey(collection, id));
    return last && sameSet(last.base, from) && sameSet(last.heads, to) ? last : undefined;
  }
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
