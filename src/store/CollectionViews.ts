import { ERASED_VIEW_SEQS_KEPT } from '../constants.js';
import type { Collection } from '../types.js';
import type { DocStore } from './DocStore.js';

/**
 * Every view of one collection, in memory: read from the stored views at start, then kept current
 * by the store's commit events (local writes and replicated ones alike). For small collections
 * that are read whole (the roster, the board), not for memories.
 */
export class CollectionViews<V> {
  private readonly views = new Map<string, V>();
  /** The store seq of the write each view came from: an older view never replaces a newer one. */
  private readonly seqs = new Map<string, number>();
  /**
   * The erasure seqs of documents erased lately, oldest first, so a writer that resumes after its
   * document was erased does not put the view back. Bounded (ERASED_VIEW_SEQS_KEPT): kept for
   * every erased document, it grew by one per agent session forgotten for the daemon's life.
   */
  private readonly erasedSeqs = new Map<string, number>();
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
      this.noteSeq(event.id, event.seq, view !== undefined);
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

  /**
   * Records the view a writer computed for its write (`seq`, as the store returned it). A
   * replicated write of the same document can commit in the same group, after it, and its commit
   * event has already put the merged view here by the time the writer resumes: that newer view
   * stays (issue 18: a board kept a card without a peer's comment its store held).
   */
  set(id: string, view: V, seq: number): void {
    if (seq < (this.seqs.get(id) ?? this.erasedSeqs.get(id) ?? 0)) return;
    this.noteSeq(id, seq, true);
    this.views.set(id, view);
  }

  /** Seqs remembered (live documents' and lately erased ones'): bounded by the live views plus ERASED_VIEW_SEQS_KEPT. */
  get seqsKept(): number {
    return this.seqs.size + this.erasedSeqs.size;
  }

  private noteSeq(id: string, seq: number, live: boolean): void {
    if (live) {
      this.erasedSeqs.delete(id);
      this.seqs.set(id, seq);
      return;
    }
    this.seqs.delete(id);
    this.erasedSeqs.delete(id); // re-inserted last: the map's order is oldest first
    this.erasedSeqs.set(id, seq);
    while (this.erasedSeqs.size > ERASED_VIEW_SEQS_KEPT) this.erasedSeqs.delete(this.erasedSeqs.keys().next().value!);
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
