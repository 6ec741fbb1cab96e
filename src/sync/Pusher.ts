import type { Logger } from '../log.js';
import type { CommitEvent, ShareScope } from '../store/types.js';
import { AckResponse, type DocPayload } from './messages.js';
import { request } from './SyncClient.js';
import type { SyncTransport } from './SyncTransport.js';

export interface PusherDeps {
  transport: SyncTransport;
  logger: Logger;
  canShare: (scope: ShareScope, peer: string) => boolean;
  connectedMembers: () => string[];
  signal: () => AbortSignal;
}

/**
 * Live replication: every local write is pushed to the connected members that may have it, all
 * writes of one tick in one push per peer. Best effort: a push that fails is picked up by the
 * peer's next pull (the write is in our feed, durable, before it is pushed).
 */
export class Pusher {
  private readonly queues = new Map<string, DocPayload[]>();
  private readonly inflight = new Set<Promise<void>>();

  onCommit(event: CommitEvent): void {
    if (event.origin !== undefined || this.deps.signal().aborted) return;
    if (!event.tomb && !event.changes) return;
    const payload: DocPayload = event.tomb
      ? { c: event.collection, id: event.id, heads: [], tomb: event.tomb }
      : { c: event.collection, id: event.id, heads: event.heads, changes: event.changes, ...(event.sigs ? { sigs: event.sigs } : {}) };
    for (const peer of this.deps.connectedMembers()) {
      // A tombstone goes where its document could go: a private one never leaves this host.
      if (!this.deps.canShare(event.scope, peer)) continue;
      let queue = this.queues.get(peer);
      if (!queue) {
        queue = [];
        this.queues.set(peer, queue);
        // Coalesce everything committed in this tick into one push per peer.
        setImmediate(() => {
          const p = this.flush(peer).finally(() => this.inflight.delete(p));
          this.inflight.add(p);
        });
      }
      queue.push(payload);
    }
  }

  constructor(private readonly deps: PusherDeps) {}

  running(): Promise<void>[] {
    return [...this.inflight];
  }

  private async flush(peer: string): Promise<void> {
    const docs = this.queues.get(peer) ?? [];
    this.queues.delete(peer);
    const signal = this.deps.signal();
    if (docs.length === 0 || signal.aborted) return;
    try {
      await request(this.deps.transport, peer, { t: 'push', docs }, AckResponse, signal);
    } catch (err) {
      // Not fatal: the peer's next pull (on reconnect or anti-entropy) picks these up.
      this.deps.logger.debug({ peer, err: (err as Error).message }, 'push failed');
    }
  }
}
