import type { Collection } from '../types.js';
import type { DocStore } from './DocStore.js';

/**
 * Every view of one collection, in memory: read from the stored views at start, then kept current
 * by the store's commit events (local writes and replicated ones alike). For small collections
 * that are read whole (the roster, the board), not for memories.
 */
export class CollectionViews<V> {
  private readonly views = new Map<string, V>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: DocStore,
    private readonly collection: Collection,
  ) {}

  /**
   * Subscribes before it scans: replication may already be applying writes while the daemon
   * starts (a host catching up after a restart), and a commit landing after the scan's snapshot
   * but before a later subscription would be missing from these views until the document's next
   * write — a host showing a card without an edit its store holds, which no pull repairs (the
   * partition property test found it). Commits seen during the scan are newer than anything the
   * scan read of their documents, so they are applied over it, in order.
   */
  async start(): Promise<void> {
    let scanning: Map<string, V | undefined> | undefined = new Map();
    this.unsubscribe = this.store.onCommit((event) => {
      if (event.collection !== this.collection) return;
      const view = event.view ? (event.view as V) : undefined;
      if (scanning) scanning.set(event.id, view);
      else if (view) this.views.set(event.id, view);
      else this.views.delete(event.id);
    });
    try {
      for await (const [id, view] of this.store.scanViews<V>(this.collection)) this.views.set(id, view);
    } finally {
      for (const [id, view] of scanning) {
        if (view) this.views.set(id, view);
        else this.views.delete(id);
      }
      scanning = undefined;
    }
  }

  stop(): void {
    this.unsubscribe?.();
  }

  get(id: string): V | undefined {
    return this.views.get(id);
  }

  has(id: string): boolean {
    return this.views.has(id);
  }

  /** Records a view a write just made durable, before its commit event arrives. */
  set(id: string, view: V): void {
    this.views.set(id, view);
  }

  get size(): number {
    return this.views.size;
  }

  keys(): IterableIterator<string> {
    return this.views.keys();
  }

  values(): IterableIterator<V> {
    return this.views.values();
  }

  /** A read-only map view, for helpers that take one. */
  asMap(): ReadonlyMap<string, V> {
    return this.views;
  }
}
