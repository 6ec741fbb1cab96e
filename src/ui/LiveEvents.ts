import type { Collection } from '../types.js';
import type { UiSource } from './UiSource.js';

/** What a dashboard is told of a commit: which document changed, never its content. */
export interface LiveEvent {
  collection: Collection;
  id: string;
  seq: number;
}

/**
 * Fans the daemon's commit events out to the open dashboards (one subscription to the store,
 * however many tabs). Subscribers are plain callbacks; the SSE route owns their streams.
 */
export class LiveEvents {
  private readonly subscribers = new Set<(e: LiveEvent) => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly source: UiSource) {}

  start(): void {
    this.unsubscribe ??= this.source.onCommit((e) => {
      const event: LiveEvent = { collection: e.collection, id: e.id, seq: e.seq };
      for (const s of this.subscribers) s(event);
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribers.clear();
  }

  get size(): number {
    return this.subscribers.size;
  }

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}
