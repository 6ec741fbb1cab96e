import type { Collection } from '../types.js';
import { docKey } from '../store/keys.js';
import { REJECTED_DOCS_KEPT, REJECTED_RETRY_MS } from './constants.js';
import type { SyncClock } from './SyncPorts.js';

/** One document version this host could not take from a peer, or could not send to one. */
export interface RejectedDocument {
  collection: Collection;
  id: string;
  peer: string;
  /** `in`: refused or failed to apply here; `out`: a peer said it could not send it. */
  direction: 'in' | 'out';
  reason: string;
  /** The version refused (the peer's heads), so a later version is tried at once. */
  heads: string[];
  at: number;
}

/**
 * Documents that failed one by one (a guard refused them, they did not decode or apply, the peer
 * could not encode them): recorded here instead of failing their batch or holding a cursor, shown
 * by `mesh status` (replication.rejected_documents) and `mesh doctor`. A newer version is tried
 * as soon as a feed or digest offers it; the same version again after REJECTED_RETRY_MS (a
 * refusal may be transient: a signer not yet known). A later success clears the record.
 */
export class RejectionLog {
  private readonly records = new Map<string, RejectedDocument>();

  constructor(private readonly clock: SyncClock) {}

  record(r: Omit<RejectedDocument, 'at'>): void {
    const key = docKey(r.collection, r.id);
    this.records.delete(key); // re-inserted last: the map's order is oldest first
    this.records.set(key, { ...r, at: this.clock.now() });
    while (this.records.size > REJECTED_DOCS_KEPT) this.records.delete(this.records.keys().next().value!);
  }

  cleared(collection: Collection, id: string): void {
    this.records.delete(docKey(collection, id));
  }

  /** Whether this exact version was refused recently enough that asking for it again is waste. */
  recentlyRefused(collection: Collection, id: string, heads: readonly string[] | null): boolean {
    const r = this.records.get(docKey(collection, id));
    if (!r || heads === null || this.clock.now() - r.at >= REJECTED_RETRY_MS) return false;
    return r.heads.length === heads.length && r.heads.every((h) => heads.includes(h));
  }

  list(): RejectedDocument[] {
    return [...this.records.values()];
  }
}
