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

  async start(): Promise<void> {
    for await (const [id, view] of this.store.scanViews<V>(this.collection)) this.views.set(id, view);
    this.unsubscribe = this.store.onCommit((event) => {
      if (event.collection !== this.collection) return;
      if (event.view) this.views.set(event.id, event.view as V);
      else this.views.delete(event.id);
    });
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
