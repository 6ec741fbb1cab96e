import * as A from '@automerge/automerge';
import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { z } from 'zod';
import { MeshError } from '../errors.js';
import type { Logger } from '../log.js';
import { MEMBERSHIP_DOC_ID, type Membership } from '../mesh/Membership.js';
import type { DocStore } from '../store/DocStore.js';
import { LruCache } from '../store/LruCache.js';
import type { CommitEvent, FeedEntry, ShareScope, Tombstone } from '../store/types.js';
import type { Collection } from '../types.js';
import { FramedStream } from './codec.js';
import { hasAllHeads, knownHeads } from './knownHeads.js';
import { ANTI_ENTROPY_FANOUT, ANTI_ENTROPY_INTERVAL_MS, BULK_PULL_DOCS, FEED_PAGE, FULL_SWEEP_INTERVAL_MS, GET_BATCH, GET_REPLY_BYTES, MAX_DOC_BYTES, RECENT_CHANGES_DOCS, STARTUP_SYNC_GRACE_MS, STARTUP_SYNC_MAX_WAIT_MS, SYNC_PROTOCOL, SYNC_REQUEST_TIMEOUT_MS } from './constants.js';
import { AckResponse, DocsResponse, ErrorResponse, FeedResponse, SyncRequest, type DocPayload } from './messages.js';
import { PROJECTORS } from './projectors.js';
import type { HeldTombstones } from './heldTombstones.js';
import { verifyTombstone } from './tombstones.js';
import { checkIncoming, type IncomingGuard } from './IncomingGuard.js';

/** What this host knows of its sync with one peer; persisted so a reconnect resumes from the cursor. */
export interface PeerSyncState {
  epoch: string | null;
  /** The peer's feed sequence up to which we have everything. */
  seq: number;
  lastSync: number | null;
  /** Documents that differed at the last pull (how far behind we were). */
  lastFetched: number;
}

export interface PullResult {
  peer: string;
  entries: number;
  fetched: number;
  applied: number;
  erased: number;
  ms: number;
}

export interface SyncEngineDeps {
  store: DocStore;
  membership: Membership;
  node: Libp2p;
  logger: Logger;
  /** May a document of this scope go to this peer? */
  canShare: (scope: ShareScope, peer: string) => boolean;
  /** Called after a replicated erasure, so the host scrubs its files. */
  onRemoteErase: () => void;
  /** Rules every incoming document must pass before it is stored (rights checked on content). */
  guards?: readonly IncomingGuard[];
  /** Erasures dated beyond the clock-skew bound wait here instead of applying (time-identity, #20). */
  held?: HeldTombstones;
}

/** What a `get` answer was an answer to: the heads we sent for the document, and the peer's feed epoch. */
interface Answered {
  base: string[] | undefined;
  epoch: string | undefined;
}

type ApplyOutcome = 'applied' | 'unchanged' | 'incomplete' | 'tombstoned' | 'rejected';

const STATE_PREFIX = 'sync/';
/** When this host last swept a peer's whole feed (epoch ms); outside STATE_PREFIX, which holds only peer states. */
const SWEEP_KEY = 'sweep/last';

/**
 * The sync protocol (`/hivemesh/sync/1`), one request and one response per stream:
 * - `feed`: "what changed since your seq N?" answered from the peer's per-document feed (each
 *   document once, at its newest write, with its heads or its tombstone), so the cost follows
 *   what changed, not the store size.
 * - `get`: "send me these documents; here are my heads" answered with the Automerge changes
 *   since those heads, or the whole saved document for a peer that has none.
 * - `push`: new local writes sent to connected members at once (live replication).
 * Pulls run on connect, on demand and every few seconds against a few random members
 * (anti-entropy), which also relays writes across hosts that cannot reach each other.
 */
export class SyncEngine {
  private readonly states = new Map<string, PeerSyncState>();
  private readonly pulls = new Map<string, Promise<PullResult>>();
  private readonly pushQueues = new Map<string, DocPayload[]>();
  /** Each recently written document's last write: its changes, the heads they apply to and the heads after. */
  private readonly lastWrites = new LruCache<string, { base: string[]; heads: string[]; changes: Uint8Array[] }>(RECENT_CHANGES_DOCS);
  private bulkPulls = 0;
  private readonly bulkWaiters: (() => void)[] = [];
  private lastSweep = Date.now();
  private pullsEnded = 0;
  private readonly pullEndWaiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly deps: SyncEngineDeps) {}

  async start(): Promise<void> {
    for await (const [key, state] of this.deps.store.scanLocal<PeerSyncState>(STATE_PREFIX)) this.states.set(key.slice(STATE_PREFIX.length), state);
    // Kept across restarts, or a daemon restarted more often than the interval would never sweep.
    const swept = await this.deps.store.getLocal<number>(SWEEP_KEY);
    this.lastSweep = swept ?? Date.now();
    if (swept === undefined) await this.deps.store.putLocal(SWEEP_KEY, this.lastSweep);
    await this.deps.node.handle(SYNC_PROTOCOL, (stream, connection) => void this.serve(stream, connection), { maxInboundStreams: 256, maxOutboundStreams: 256 });
    this.unsubscribe = this.deps.store.onCommit((event) => this.onCommit(event));
    this.deps.node.addEventListener('peer:connect', this.onConnect);
    this.timer = setInterval(() => this.antiEntropy(), ANTI_ENTROPY_INTERVAL_MS);
    this.timer.unref();
    // Connections made while starting (before the listener) get their first pull now.
    for (const peer of this.connectedMembers()) this.pullQuietly(peer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.pullEndWaiters.splice(0)) wake();
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.deps.node.removeEventListener('peer:connect', this.onConnect);
    await this.deps.node.unhandle(SYNC_PROTOCOL).catch(() => undefined);
    await Promise.allSettled([...this.pulls.values()]);
  }

  state(peer: string): PeerSyncState | undefined {
    return this.states.get(peer);
  }

  connectedMembers(): string[] {
    const peers = new Set(this.deps.node.getConnections().map((c) => c.remotePeer.toString()));
    return [...peers].filter((p) => this.deps.membership.isMember(p));
  }

  /**
   * Pulls everything new from a peer; concurrent calls for one peer share one run. `full`: a
   * sweep instead — every document in the peer's feed is compared by heads, from the start and
   * with the echo filter off, and the cursor is left where it is (see FULL_SWEEP_INTERVAL_MS).
   */
  pull(peer: string, opts: { full?: boolean } = {}): Promise<PullResult> {
    let running = this.pulls.get(peer);
    if (running && opts.full) running = running.catch(() => undefined).then(() => this.pull(peer, opts));
    else if (!running) {
      running = this.doPull(peer, opts.full === true).finally(() => {
        this.pulls.delete(peer);
        this.pullsEnded++;
        for (const wake of this.pullEndWaiters.splice(0)) wake();
      });
      this.pulls.set(peer, running);
    }
    return running;
  }

  async pullAll(opts: { full?: boolean } = {}): Promise<PullResult[]> {
    const results = await Promise.allSettled(this.connectedMembers().map((p) => this.pull(p, opts)));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  private readonly onConnect = (evt: CustomEvent<{ toString(): string }>): void => {
    const peer = evt.detail.toString();
    if (this.deps.membership.isMember(peer)) this.pullQuietly(peer);
  };

  pullQuietly(peer: string): void {
    this.pull(peer).catch((err: unknown) => this.deps.logger.debug({ peer, err: (err as Error).message }, 'pull failed'));
  }

  private antiEntropy(): void {
    if (this.stopped) return;
    const peers = this.connectedMembers();
    for (let i = peers.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [peers[i], peers[j]] = [peers[j]!, peers[i]!];
    }
    const sweep = peers.length > 0 && Date.now() - this.lastSweep >= FULL_SWEEP_INTERVAL_MS;
    if (sweep) {
      this.lastSweep = Date.now();
      this.deps.store.putLocal(SWEEP_KEY, this.lastSweep).catch((err: unknown) => this.deps.logger.debug({ err: (err as Error).message }, 'could not record the sweep time'));
    }
    for (const [i, peer] of peers.slice(0, ANTI_ENTROPY_FANOUT).entries()) {
      this.pull(peer, { full: sweep && i === 0 }).catch((err: unknown) => this.deps.logger.debug({ peer, err: (err as Error).message }, 'pull failed'));
    }
  }

  private async doPull(peer: string, full: boolean): Promise<PullResult> {
    // Large from its first big page to its end (not page by page), so background work held back
    // for it does not slip in between pages.
    let bulk = false;
    const markBulk = (docs: number) => {
      if (bulk || docs < BULK_PULL_DOCS) return;
      bulk = true;
      this.bulkPulls++;
    };
    try {
      return await this.pullPages(peer, markBulk, full);
    } finally {
      if (bulk && --this.bulkPulls === 0) for (const wake of this.bulkWaiters.splice(0)) wake();
    }
  }

  private async pullPages(peer: string, markBulk: (docs: number) => void, full: boolean): Promise<PullResult> {
    const t0 = performance.now();
    const result: PullResult = { peer, entries: 0, fetched: 0, applied: 0, erased: 0, ms: 0 };
    const fresh: PeerSyncState = { epoch: null, seq: 0, lastSync: null, lastFetched: 0 };
    // A sweep reads the whole feed on a copy of the state: the persisted cursor never moves back.
    let state = full ? { ...(this.states.get(peer) ?? fresh), seq: 0 } : (this.states.get(peer) ?? fresh);
    for (;;) {
      const res = await this.request(peer, { t: 'feed', since: state.seq, epoch: state.epoch, limit: FEED_PAGE, ...(full ? {} : { mine: this.deps.store.epoch }) }, FeedResponse);
      if (full && state.epoch !== null && res.epoch !== state.epoch) break; // a recreated store: the next ordinary pull starts over
      if (state.epoch !== null && res.epoch !== state.epoch) {
        // The peer's store was recreated: its sequence numbers start over, so must our cursor.
        this.deps.logger.info({ peer }, 'peer feed epoch changed; resyncing from the start');
        state = { epoch: res.epoch, seq: 0, lastSync: null, lastFetched: 0 };
        continue;
      }
      state.epoch = res.epoch;
      result.entries += res.entries.length;
      const live = res.entries.filter((e) => e.heads !== null);
      // A tombstone signed by a member we have not heard of yet (a newcomer's first pull sees
      // erasures before the membership document, which sits at the end of the feed): fetch the
      // peer's membership first, or the erasure would be skipped here for good.
      if (res.entries.some((e) => e.tomb && !(e.tomb.by && this.deps.membership.get(e.tomb.by)))) await this.syncMembership(peer);
      for (const e of res.entries) if (e.tomb && (await this.applyTombstone(peer, e.c, e.id, e.tomb)) === true) result.erased++;
      const local = await this.deps.store.headsMany(live.map((e) => ({ collection: e.c, id: e.id })));
      const need: { c: Collection; id: string; heads: string[] }[] = [];
      live.forEach((e, i) => {
        const mine = local[i];
        if (mine === null) return; // erased here: never re-import
        if (mine && e.heads && sameSet(mine, e.heads)) return;
        need.push({ c: e.c, id: e.id, heads: mine ?? [] });
      });
      result.fetched += need.length;
      markBulk(need.length);
      const { applied, failed } = await this.fetch(peer, need, res.epoch);
      result.applied += applied;
      // Never move the cursor past a document that failed to apply: the next pull offers it again.
      const held = res.entries.filter((e) => failed.has(`${e.c}/${e.id}`)).map((e) => e.seq);
      if (full) {
        if (held.length > 0) this.deps.logger.warn({ peer, failed: held.length }, 'some documents did not apply during a sweep; the next one retries them');
        state.seq = res.last;
        if (!res.more) break;
        continue;
      }
      if (held.length > 0) {
        state.seq = Math.min(...held) - 1;
        state.lastSync = Date.now();
        state.lastFetched = need.length;
        this.states.set(peer, { ...state });
        await this.deps.store.putLocal(STATE_PREFIX + peer, state);
        this.deps.logger.warn({ peer, failed: held.length }, 'some documents did not apply; they will be fetched again');
        break;
      }
      state.seq = res.last;
      state.lastSync = Date.now();
      state.lastFetched = need.length;
      this.states.set(peer, { ...state });
      await this.deps.store.putLocal(STATE_PREFIX + peer, state);
      if (!res.more) break;
    }
    result.ms = Math.round(performance.now() - t0);
    if (result.fetched || result.erased) this.deps.logger.info({ ...result, ...(full ? { full } : {}) }, full ? 'swept the peer feed' : 'pulled from peer');
    else if (full) this.deps.logger.info({ ...result, full }, 'swept the peer feed: nothing differed');
    return result;
  }

  /** Brings the membership document up to date with the peer's, and the in-memory view with it. */
  private async syncMembership(peer: string): Promise<void> {
    const heads = await this.deps.store.heads('mesh', MEMBERSHIP_DOC_ID);
    if (heads === null) return;
    await this.fetch(peer, [{ c: 'mesh', id: MEMBERSHIP_DOC_ID, heads: heads ?? [] }], this.states.get(peer)?.epoch ?? undefined);
    await this.deps.membership.refresh();
  }

  /**
   * Fetches documents in batches, applying each batch's documents concurrently so writes
   * group-commit. The next batch is requested while this one applies, so the peer's reading and
   * encoding overlaps our writing instead of alternating with it.
   */
  private async fetch(peer: string, need: { c: Collection; id: string; heads: string[] }[], epoch: string | undefined): Promise<{ applied: number; failed: Set<string> }> {
    let applied = 0;
    const failed = new Set<string>();
    const batches: (typeof need)[] = [];
    for (let i = 0; i < need.length; i += GET_BATCH) batches.push(need.slice(i, i + GET_BATCH));
    const answered = new Set<string>();
    const ask = (docs: typeof need) => {
      const p = this.request(peer, { t: 'get', docs }, DocsResponse);
      p.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      return p;
    };
    let next = batches.length ? ask(batches[0]!) : undefined;
    for (const [b, batch] of batches.entries()) {
      const res = await next!;
      next = b + 1 < batches.length ? ask(batches[b + 1]!) : undefined;
      // The heads we sent: changes answered against them can be appended without loading the document.
      const sent = new Map(batch.map((d) => [`${d.c}/${d.id}`, d.heads]));
      for (const d of res.docs) answered.add(`${d.c}/${d.id}`);
      // A reply cut short at its size budget: the rest go into one more batch. A reply that
      // answers nothing at all would loop, so those documents are held for the next pull instead.
      const unanswered = batch.filter((d) => !answered.has(`${d.c}/${d.id}`));
      if (unanswered.length && res.docs.length > 0) {
        batches.push(unanswered);
        if (!next) next = ask(unanswered);
      } else for (const d of unanswered) failed.add(`${d.c}/${d.id}`);
      const outcomes = await Promise.all(res.docs.map((doc) => this.applyPayload(peer, doc, { base: sent.get(`${doc.c}/${doc.id}`), epoch })));
      applied += outcomes.filter((o) => o === 'applied').length;
      // Changes whose dependencies we lack: ask again for the whole document and merge it.
      const retry = res.docs.filter((_, j) => outcomes[j] === 'incomplete').map((d) => ({ c: d.c, id: d.id, heads: [] as string[] }));
      if (retry.length) {
        const full = await this.request(peer, { t: 'get', docs: retry }, DocsResponse);
        const again = await Promise.all(full.docs.map((doc) => this.applyPayload(peer, doc, { base: [], epoch })));
        applied += again.filter((o) => o === 'applied').length;
        full.docs.forEach((d, j) => {
          if (again[j] === 'incomplete' || again[j] === 'rejected') failed.add(`${d.c}/${d.id}`);
        });
        // A reply cut short at its size budget leaves some unanswered: hold them too, or the cursor
        // would move past documents that never applied.
        const got = new Set(full.docs.map((d) => `${d.c}/${d.id}`));
        for (const d of retry) if (!got.has(`${d.c}/${d.id}`)) failed.add(`${d.c}/${d.id}`);
      }
      res.docs.forEach((d, j) => {
        if (outcomes[j] === 'rejected') failed.add(`${d.c}/${d.id}`);
      });
    }
    return { applied, failed };
  }

  /**
   * Resolves once this host has caught up after starting: when the first pull (from whichever
   * member connects first) and the pulls running with it have ended, or after the grace period
   * when no member answers, or at once for a host alone in its mesh. Never rejects.
   */
  async startupSynced(): Promise<void> {
    if (this.deps.membership.activePeers().length <= 1) return;
    const timers: NodeJS.Timeout[] = [];
    const after = (ms: number) => new Promise<void>((resolve) => timers.push(setTimeout(resolve, ms).unref()));
    try {
      if (this.pullsEnded === 0) await Promise.race([new Promise<void>((resolve) => this.pullEndWaiters.push(resolve)), after(STARTUP_SYNC_GRACE_MS)]);
      await Promise.race([Promise.allSettled([...this.pulls.values()]), after(STARTUP_SYNC_MAX_WAIT_MS)]);
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  }

  /**
   * Resolves when no large pull is running. Background work that competes for this host's CPU
   * (embedding what arrived) waits for it, so an initial sync or a long reconnect is not slowed
   * by it; keyword search already has every document as it lands.
   */
  bulkSettled(): Promise<void> {
    if (this.bulkPulls === 0) return Promise.resolve();
    return new Promise((resolve) => this.bulkWaiters.push(resolve));
  }

  private async applyPayload(peer: string, payload: DocPayload, answer?: Answered): Promise<ApplyOutcome> {
    try {
      const verdict = await checkIncoming(this.deps.guards ?? [], { peer, collection: payload.c, id: payload.id, payload });
      if (!verdict.ok) {
        this.deps.logger.warn({ peer, collection: payload.c, id: payload.id, guard: verdict.guard, reason: verdict.reason }, 'refused a document from a peer');
        return 'rejected';
      }
      if (payload.tomb) {
        const erased = await this.applyTombstone(peer, payload.c, payload.id, payload.tomb);
        return erased === 'held' ? 'unchanged' : erased ? 'applied' : 'rejected';
      }
      if (payload.missing) return 'unchanged';
      return await this.applyRemote(peer, payload, answer);
    } catch (err) {
      this.deps.logger.warn({ peer, collection: payload.c, id: payload.id, err: (err as Error).message }, 'rejected a document from a peer');
      return 'rejected';
    }
  }

  /**
   * Applies a document from a peer. Fast paths, without loading the document: a whole document we
   * do not have is stored as sent; changes answered against exactly the heads we sent (`base`) are
   * appended to the stored bytes. Both carry the sender's view (validated here) and are checked
   * by the store as it writes; when the check fails (the document moved here meanwhile), or there
   * is no view, the document is loaded and merged.
   */
  private async applyRemote(peer: string, payload: DocPayload, answer?: Answered): Promise<ApplyOutcome> {
    const base = answer?.base;
    const { c, id } = payload;
    const store = this.deps.store;
    const projector = PROJECTORS[c];
    if (!projector) throw new MeshError('PROTOCOL_ERROR', `collection ${c} is not replicated`);
    if (payload.view !== undefined) {
      const view = projector.schema.parse(payload.view);
      if (projector.idOf && projector.idOf(view) !== id) throw new MeshError('PROTOCOL_ERROR', 'document view names another id');
      const scope = projector.scope(view);
      let seq: number | undefined;
      if (payload.full && !base?.length) seq = await store.importDoc(c, id, payload.full, view, payload.heads, scope, peer, answer?.epoch);
      else if (payload.changes?.length && base?.length) seq = await store.appendChanges(c, id, payload.changes, view, payload.heads, base, scope, peer, answer?.epoch);
      if (seq !== undefined) return 'applied';
    }
    if (await store.tombstone(c, id)) return 'tombstoned';
    let complete = true;
    const { changed } = await store.mutate<unknown>(
      c,
      id,
      (current) => {
        let doc = current ?? A.init<unknown>();
        if (payload.changes?.length) [doc] = A.applyChanges(doc, payload.changes);
        if (payload.full) doc = A.merge(doc, A.load<unknown>(payload.full));
        complete = hasAllHeads(doc, payload.heads);
        // Changes for a document we do not have, whose history is missing: write nothing, fetch it whole.
        if (!current && !complete) return undefined;
        const view = projector.view(doc);
        return { doc, view, scope: projector.scope(view) };
      },
      { origin: peer },
    );
    if (!complete) return 'incomplete';
    return changed ? 'applied' : 'unchanged';
  }

  /** `held`: valid but dated in our future, kept by HeldTombstones until it comes due. */
  private async applyTombstone(peer: string, c: Collection, id: string, tomb: Tombstone): Promise<boolean | 'held'> {
    if (await this.deps.store.tombstone(c, id)) return false;
    const valid = await verifyTombstone(c, id, tomb, (p) => this.deps.membership.get(p) !== undefined);
    if (!valid) {
      this.deps.logger.warn({ peer, collection: c, id }, 'rejected a tombstone with a bad or missing signature');
      return false;
    }
    if (this.deps.held?.isFuture(tomb)) {
      await this.deps.held.hold(peer, c, id, tomb);
      return 'held';
    }
    await this.deps.store.erase(c, id, tomb, { origin: peer });
    this.deps.onRemoteErase();
    return true;
  }

  // ---- serving ----

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    const io = new FramedStream(stream);
    try {
      if (!this.deps.membership.isMember(peer)) {
        await io.send({ t: 'error', code: 'NOT_MEMBER', message: 'this peer is not a member of the mesh' });
        await io.close();
        return;
      }
      const req = await io.receive(SyncRequest);
      let res: unknown;
      if (req.t === 'feed') res = await this.serveFeed(peer, req.since, req.limit, req.mine);
      else if (req.t === 'get') res = await this.serveGet(peer, req.docs);
      else {
        await this.servePush(peer, req.docs);
        res = { t: 'ack' };
      }
      await io.send(res);
      await io.close();
    } catch (err) {
      this.deps.logger.warn({ peer, err: (err as Error).message }, 'bad sync exchange; stream closed');
      io.abort('protocol error');
    }
  }

  private async serveFeed(peer: string, since: number, limit: number, theirEpoch: string | undefined) {
    const page = await this.deps.store.feedSince(since, limit);
    // A version the peer itself sent us (same heads, same store of theirs) is not offered back:
    // after an initial sync that is every entry of our feed. The cursor still moves past them.
    const echo = (e: FeedEntry) => theirEpoch !== undefined && e.from?.peer === peer && e.from.epoch === theirEpoch;
    const entries = page.entries
      .filter((e) => this.deps.canShare(e.scope, peer) && !echo(e))
      .map((e) => ({ seq: e.seq, c: e.collection, id: e.id, heads: e.heads, ...(e.tomb ? { tomb: e.tomb } : {}) }));
    return { t: 'feed', epoch: this.deps.store.epoch, entries, last: page.last, more: page.more };
  }

  private async serveGet(peer: string, docs: { c: Collection; id: string; heads: string[] }[]) {
    const store = this.deps.store;
    const out: DocPayload[] = [];
    // One consistent bulk read instead of several awaited reads per document.
    const stored = await store.readMany(docs.map((d) => ({ collection: d.c, id: d.id })));
    let size = 0;
    for (const [i, { c, id, heads }] of docs.entries()) {
      const { tomb, view, heads: storedHeads, bytes, viewBytes } = stored[i]!;
      // A reply stays within its frame: the rest of the request goes unanswered and is asked again.
      if (out.length > 0 && size + (bytes?.byteLength ?? 0) + viewBytes > GET_REPLY_BYTES) break;
      if (tomb) {
        out.push({ c, id, heads: [], tomb });
        continue;
      }
      const projector = PROJECTORS[c];
      if (view === undefined || !projector || !this.deps.canShare(projector.scope(view), peer)) {
        out.push({ c, id, heads: [], missing: true });
        continue;
      }
      // A peer exactly one write behind (the usual reconnect): that write's changes, as committed,
      // go with the view of the same (durable) version, without loading the document.
      const last = heads.length > 0 && storedHeads ? this.lastWrites.get(`${c}/${id}`) : undefined;
      if (last && storedHeads && sameSet(last.heads, storedHeads) && sameSet(last.base, heads)) {
        size += last.changes.reduce((n, ch) => n + ch.byteLength, viewBytes);
        out.push({ c, id, heads: storedHeads, changes: last.changes, view });
        continue;
      }
      if (heads.length > 0) {
        const doc = await store.load<unknown>(c, id);
        // Both sides changed the document (the membership document after both hosts restarted on
        // new addresses): the changes since the heads we share cover everything the peer lacks,
        // where the whole document cost the peer a load and merge of all of it.
        const known = doc ? knownHeads(doc, heads) : [];
        if (doc && known.length > 0) {
          const docHeads = A.getHeads(doc);
          // Our view goes along when it is the view of exactly this version (not of an older one,
          // while a newer write is still queued) and the peer has nothing we lack: the peer can then
          // append the changes without loading its copy (~3 ms a document); otherwise it merges them.
          const withView = storedHeads && sameSet(storedHeads, docHeads) && known.length === heads.length ? { view } : {};
          const changes = A.getChangesSince(doc, known);
          size += changes.reduce((n, ch) => n + ch.byteLength, withView.view ? viewBytes : 0);
          out.push({ c, id, heads: docHeads, changes, ...withView });
          continue;
        }
      }
      if (!bytes || bytes.byteLength > MAX_DOC_BYTES) {
        this.deps.logger.warn({ collection: c, id, bytes: bytes?.byteLength }, 'document too large to send whole');
        out.push({ c, id, heads: [], missing: true });
        continue;
      }
      size += bytes.byteLength + viewBytes;
      out.push({ c, id, heads: storedHeads ?? [], full: bytes, view });
    }
    return { t: 'docs', docs: out };
  }

  private async servePush(peer: string, docs: { c: Collection; id: string; heads: string[]; changes?: Uint8Array[] | undefined; tomb?: Tombstone | undefined }[]): Promise<void> {
    const outcomes = await Promise.all(docs.map((d) => this.applyPayload(peer, d as DocPayload)));
    // A push we could not apply (missing history) is repaired by a pull from the same peer.
    if (outcomes.includes('incomplete')) this.pullQuietly(peer);
  }

  // ---- live push ----

  private onCommit(event: CommitEvent): void {
    const key = `${event.collection}/${event.id}`;
    // Received changes are views into a whole decoded frame (up to 8 MiB): keep copies, not the frame.
    if (event.changes && event.base) this.lastWrites.set(key, { base: event.base, heads: event.heads, changes: event.origin === undefined ? event.changes : event.changes.map((ch) => ch.slice()) });
    else this.lastWrites.delete(key);
    if (this.stopped || event.origin !== undefined) return;
    if (!event.tomb && !event.changes) return;
    const payload: DocPayload = event.tomb
      ? { c: event.collection, id: event.id, heads: [], tomb: event.tomb }
      : { c: event.collection, id: event.id, heads: event.heads, changes: event.changes };
    for (const peer of this.connectedMembers()) {
      if (!event.tomb && !this.deps.canShare(event.scope, peer)) continue;
      let queue = this.pushQueues.get(peer);
      if (!queue) {
        queue = [];
        this.pushQueues.set(peer, queue);
        // Coalesce everything committed in this tick into one push per peer.
        setImmediate(() => void this.flushPush(peer));
      }
      queue.push(payload);
    }
  }

  private async flushPush(peer: string): Promise<void> {
    const docs = this.pushQueues.get(peer) ?? [];
    this.pushQueues.delete(peer);
    if (docs.length === 0 || this.stopped) return;
    try {
      await this.request(peer, { t: 'push', docs }, AckResponse);
    } catch (err) {
      // Not fatal: the peer's next pull (on reconnect or anti-entropy) picks these up.
      this.deps.logger.debug({ peer, err: (err as Error).message }, 'push failed');
    }
  }

  private async request<S extends z.ZodType>(peer: string, message: unknown, schema: S): Promise<z.infer<S>> {
    const signal = AbortSignal.timeout(SYNC_REQUEST_TIMEOUT_MS);
    const stream = await this.deps.node.dialProtocol(peerIdFromString(peer), SYNC_PROTOCOL, { signal });
    const io = new FramedStream(stream);
    try {
      await io.send(message, signal);
      const res = await io.receive(schema.or(ErrorResponse), signal);
      if ((res as { t: string }).t === 'error' && (schema as z.ZodType) !== ErrorResponse) {
        const e = res as z.infer<typeof ErrorResponse>;
        throw new MeshError('PROTOCOL_ERROR', `${peer} refused: ${e.code} ${e.message}`);
      }
      return res as z.infer<S>;
    } finally {
      await io.close();
    }
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
