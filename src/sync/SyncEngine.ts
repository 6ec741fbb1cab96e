import type { Logger } from '../log.js';
import type { ShareScope } from '../store/types.js';
import type { Collection } from '../types.js';
import { AntiEntropy } from './AntiEntropy.js';
import { ANTI_ENTROPY_INTERVAL_MS, FEED_PAGE, SYNC_DIGEST_PROTOCOL, SYNC_PROTOCOL, SYNC_STOP_WAIT_MS } from './constants.js';
import { DocApplier } from './DocApplier.js';
import { HeadsDigest } from './HeadsDigest.js';
import type { HeldTombstones } from './heldTombstones.js';
import type { IncomingGuard } from './IncomingGuard.js';
import { type HealResult, Puller, type PullResult } from './Puller.js';
import { Pusher } from './Pusher.js';
import { RecentWrites } from './RecentWrites.js';
import { type RejectedDocument, RejectionLog } from './RejectionLog.js';
import { SyncServer } from './SyncServer.js';
import { systemClock, type SyncClock, type SyncMembership, type SyncStore } from './SyncPorts.js';
import type { SyncTransport } from './SyncTransport.js';

export type { HealResult, PeerSyncState, PullResult } from './Puller.js';

/** A commit as the digest needs it (not the whole event: an initial sync commits 100k of them before the digest is built). */
interface DigestUpdate {
  collection: Collection;
  id: string;
  scope: ShareScope;
  heads: string[] | null;
}

export interface SyncEngineDeps {
  store: SyncStore;
  membership: SyncMembership;
  transport: SyncTransport;
  logger: Logger;
  /** May a document of this scope go to this peer? */
  canShare: (scope: ShareScope, peer: string) => boolean;
  /** Called after a replicated erasure, so the host scrubs its files. */
  onRemoteErase: () => void;
  /** Rules every incoming document must pass before it is stored (rights checked on content). */
  guards?: readonly IncomingGuard[];
  /** Erasures dated beyond the clock-skew bound wait here instead of applying (issue 20). */
  held?: HeldTombstones;
  clock?: SyncClock;
  random?: () => number;
  /** Run anti-entropy on a timer (default). Tests turn it off and call antiEntropyRound(). */
  timer?: boolean;
}

/**
 * The sync protocol (`/hivemesh/sync/1`), one request and one response per stream:
 * - `feed`: "what changed since your seq N?" answered from the peer's per-document feed (each
 *   document once, at its newest write, with its heads or its tombstone), so the cost follows
 *   what changed, not the store size.
 * - `get`: "send me these documents; here are my heads" answered with the Automerge changes
 *   since those heads, or the whole saved document for a peer that has none.
 * - `push`: new local writes sent to connected members at once (live replication).
 * - on `/hivemesh/sync-digest/1`, `digest`/`leaves`/`entries`: heads digests compared each
 *   anti-entropy round, which find what no cursor brought (HeadsDigest).
 * Pulls run on connect, on demand and every few seconds against a few random members
 * (anti-entropy), which also relays writes across hosts that cannot reach each other.
 *
 * The engine composes the parts: Puller (client), SyncServer, Pusher, AntiEntropy (schedule),
 * DocApplier (the one apply point, with the guards), HeadsDigest and RejectionLog. It owns the
 * lifecycle: stop() aborts every request and loop, then waits briefly.
 */
export class SyncEngine {
  private readonly clock: SyncClock;
  private readonly rejections: RejectionLog;
  private readonly digest = new HeadsDigest();
  private digestReady = false;
  private readonly recent = new RecentWrites();
  private readonly applier: DocApplier;
  private readonly puller: Puller;
  private readonly server: SyncServer;
  private readonly pusher: Pusher;
  private readonly scheduler: AntiEntropy;
  private controller = new AbortController();
  private readonly cleanups: (() => void)[] = [];
  private readonly rounds = new Set<Promise<void>>();
  private building: Promise<void> | undefined;
  private readonly serving = new Set<Promise<void>>();

  constructor(private readonly deps: SyncEngineDeps) {
    this.clock = deps.clock ?? systemClock;
    const random = deps.random ?? Math.random;
    const signal = () => this.controller.signal;
    this.rejections = new RejectionLog(this.clock);
    this.applier = new DocApplier({ store: deps.store, membership: deps.membership, logger: deps.logger, guards: deps.guards ?? [], rejections: this.rejections, onRemoteErase: deps.onRemoteErase, syncMembership: (peer) => this.puller.refreshMembership(peer), ...(deps.held ? { held: deps.held } : {}) });
    this.puller = new Puller({ store: deps.store, membership: deps.membership, transport: deps.transport, applier: this.applier, digest: this.digest, rejections: this.rejections, logger: deps.logger, clock: this.clock, random, canShare: deps.canShare, signal });
    this.server = new SyncServer({
      store: deps.store,
      membership: deps.membership,
      logger: deps.logger,
      canShare: deps.canShare,
      applier: this.applier,
      recent: this.recent,
      digest: this.digest,
      onIncompletePush: (peer) => this.pullQuietly(peer),
    });
    this.pusher = new Pusher({ transport: deps.transport, logger: deps.logger, canShare: deps.canShare, connectedMembers: () => this.connectedMembers(), signal });
    this.scheduler = new AntiEntropy({ store: deps.store, puller: this.puller, logger: deps.logger, clock: this.clock, random, connectedMembers: () => this.connectedMembers() });
  }

  async start(): Promise<void> {
    this.controller = new AbortController();
    try {
      await this.startParts();
    } catch (err) {
      // A failed start undoes, in reverse order, what it had started.
      await this.stop();
      throw err;
    }
  }

  private async startParts(): Promise<void> {
    await this.puller.load();
    await this.scheduler.load();
    // Subscribed before the digest is built, so no commit falls between the scan and the listener.
    const early: DigestUpdate[] = [];
    this.cleanups.push(
      this.deps.store.onCommit((event) => {
        this.recent.observe(event);
        if (this.digestReady) this.digest.record(event.collection, event.id, event.scope, event.tomb ? null : event.heads);
        else early.push({ collection: event.collection, id: event.id, scope: event.scope, heads: event.tomb ? null : event.heads });
        this.pusher.onCommit(event);
      }),
    );
    // Built once the start-up catch-up has ended (~1 s of CPU at 100k documents), so it does not
    // slow the catch-up after a restart; until then this host neither asks for nor answers digests.
    this.building = this.puller.startupSynced().then(() => this.buildDigest(early));
    for (const protocol of [SYNC_PROTOCOL, SYNC_DIGEST_PROTOCOL]) {
      await this.deps.transport.handle(protocol, (stream, peer) => this.serve(stream, peer, protocol));
      this.cleanups.push(() => void this.deps.transport.unhandle(protocol).catch(() => undefined));
    }
    this.cleanups.push(
      this.deps.transport.onConnect((peer) => {
        if (this.deps.membership.isMember(peer)) this.pullQuietly(peer);
      }),
    );
    if (this.deps.timer !== false) {
      const timer = setInterval(() => void this.antiEntropyRound(), ANTI_ENTROPY_INTERVAL_MS);
      timer.unref();
      this.cleanups.push(() => clearInterval(timer));
    }
    // Connections made while starting (before the listener) get their first pull now.
    for (const peer of this.connectedMembers()) this.pullQuietly(peer);
  }

  /** Cancels every request, page loop and push, unsubscribes, then waits at most SYNC_STOP_WAIT_MS for them to unwind. */
  async stop(): Promise<void> {
    this.controller.abort(new Error('sync stopped'));
    for (const cleanup of this.cleanups.splice(0).reverse()) cleanup();
    this.puller.wakeAll();
    const running = [...this.puller.running(), ...this.pusher.running(), ...this.serving, ...this.rounds, ...(this.building ? [this.building] : [])];
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(running), new Promise<void>((resolve) => (timer = setTimeout(resolve, SYNC_STOP_WAIT_MS)))]);
    clearTimeout(timer);
    if (running.length > 0) this.deps.logger.info({ cancelled: running.length, ms: Math.round(performance.now() - t0) }, 'sync stopped');
  }

  state(peer: string) {
    return this.puller.state(peer);
  }

  /** Documents that failed one by one, for `mesh status` and `mesh doctor`. */
  rejected(): RejectedDocument[] {
    return this.rejections.list();
  }

  connectedMembers(): string[] {
    return this.deps.transport.connectedPeers().filter((p) => this.deps.membership.isMember(p));
  }

  pull(peer: string, opts: { full?: boolean } = {}): Promise<PullResult> {
    return this.puller.pull(peer, opts);
  }

  /** Makes the next anti-entropy round a full sweep (the store found damaged or lost documents to re-fetch). */
  requestSweep(): void {
    this.scheduler.requestSweep();
  }

  async pullAll(opts: { full?: boolean } = {}): Promise<PullResult[]> {
    const results = await Promise.allSettled(this.connectedMembers().map((p) => this.pull(p, opts)));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  pullQuietly(peer: string): void {
    this.pull(peer).catch((err: unknown) => this.deps.logger.debug({ peer, err: (err as Error).message }, 'pull failed'));
  }

  /** Compares heads digests with a peer and fetches what differs (HeadsDigest). */
  async heal(peer: string): Promise<HealResult> {
    await this.building;
    return this.puller.heal(peer);
  }

  /**
   * One anti-entropy round (the timer's; tests call it). Rounds may overlap (a long pull from one
   * member must not hold up the others): pulls of one peer share one run, and so do digest
   * comparisons (AntiEntropy).
   */
  antiEntropyRound(): Promise<void> {
    if (this.controller.signal.aborted) return Promise.resolve();
    const round = (async () => {
      await this.building;
      await this.scheduler.round();
    })().finally(() => this.rounds.delete(round));
    this.rounds.add(round);
    return round;
  }

  startupSynced(): Promise<void> {
    return this.puller.startupSynced();
  }

  bulkSettled(): Promise<void> {
    return this.puller.bulkSettled();
  }

  private serve(stream: Parameters<SyncServer['serve']>[0], peer: string, protocol: string): void {
    if (protocol === SYNC_DIGEST_PROTOCOL && !this.digestReady) {
      stream.abort(new Error('digest not built yet'));
      return;
    }
    const p = this.server.serve(stream, peer, this.controller.signal).finally(() => this.serving.delete(p));
    this.serving.add(p);
  }

  /**
   * The digest from the store's feed (one entry per document, newest write), then the commits
   * that landed meanwhile, which are newer than anything the scan read of their documents.
   */
  private async buildDigest(early: DigestUpdate[]): Promise<void> {
    const signal = this.controller.signal;
    try {
      let since = 0;
      for (;;) {
        signal.throwIfAborted();
        const page = await this.deps.store.feedSince(since, FEED_PAGE);
        for (const e of page.entries) this.digest.record(e.collection, e.id, e.scope, e.heads);
        since = page.last;
        if (!page.more) break;
      }
      for (const u of early.splice(0)) this.digest.record(u.collection, u.id, u.scope, u.heads);
      this.digestReady = true;
    } catch (err) {
      if (!signal.aborted) this.deps.logger.warn({ err: (err as Error).message }, 'could not build the heads digest; anti-entropy relies on cursors and the daily sweep');
    }
  }
}
