import type { z } from 'zod';
import type { Logger } from '../log.js';
import { docKey } from '../store/keys.js';
import type { ShareScope } from '../store/types.js';
import type { Collection } from '../types.js';
import { BULK_PULL_DOCS, DIGEST_LEAVES, DIGEST_MAX_LEAVES_PER_ROUND, DIGEST_TOPS, FEED_PAGE, APPLY_START_GROUP, GET_BATCH, STARTUP_SYNC_GRACE_MS, STARTUP_SYNC_MAX_WAIT_MS, SYNC_DIGEST_PROTOCOL } from './constants.js';
import type { Answered, ApplyOutcome, DocApplier } from './DocApplier.js';
import { differing, type HeadsDigest, LEAVES_UNDER_TOP } from './HeadsDigest.js';
import { DigestResponse, type DocPayload, DocsResponse, EntriesResponse, type FeedEntrySchema, FeedResponse, LeavesResponse } from './messages.js';
import { sameSet } from './RecentWrites.js';
import type { RejectionLog } from './RejectionLog.js';
import { request } from './SyncClient.js';
import type { SyncClock, SyncMembership, SyncStore } from './SyncPorts.js';
import type { SyncTransport } from './SyncTransport.js';
import { bytesToU32 } from './wireWords.js';

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

/** What one digest comparison with a peer found and repaired. */
export interface HealResult {
  peer: string;
  /** Leaves whose sums differed (0: the hosts hold the same versions of everything they share). */
  leaves: number;
  fetched: number;
  applied: number;
  erased: number;
}

export interface PullerDeps {
  store: SyncStore;
  membership: SyncMembership;
  transport: SyncTransport;
  applier: DocApplier;
  digest: HeadsDigest;
  rejections: RejectionLog;
  logger: Logger;
  clock: SyncClock;
  random: () => number;
  canShare: (scope: ShareScope, peer: string) => boolean;
  /** The engine's lifecycle signal: aborted by stop(). */
  signal: () => AbortSignal;
}

type Entry = z.infer<typeof FeedEntrySchema>;
type Need = { c: Collection; id: string; heads: string[] };

export const STATE_PREFIX = 'sync/';

/**
 * The client side of replication: pulls a peer's feed from this host's cursor (or all of it, for
 * a sweep), fetches the documents whose heads differ, and compares heads digests to find what a
 * cursor let through. Every loop and request takes the engine's signal, so stop() cancels it.
 */
export class Puller {
  private readonly states = new Map<string, PeerSyncState>();
  private readonly pulls = new Map<string, Promise<PullResult>>();
  private bulkPulls = 0;
  private readonly bulkWaiters: (() => void)[] = [];
  private pullsEnded = 0;
  private readonly pullEndWaiters: (() => void)[] = [];

  constructor(private readonly deps: PullerDeps) {}

  async load(): Promise<void> {
    for await (const [key, state] of this.deps.store.scanLocal<PeerSyncState>(STATE_PREFIX)) this.states.set(key.slice(STATE_PREFIX.length), state);
  }

  state(peer: string): PeerSyncState | undefined {
    return this.states.get(peer);
  }

  /** Pulls and heals in flight, to wait for (briefly) at stop. */
  running(): Promise<unknown>[] {
    return [...this.pulls.values()];
  }

  /** Wakes whatever waits on pulls (startupSynced) when the engine stops. */
  wakeAll(): void {
    for (const wake of this.pullEndWaiters.splice(0)) wake();
    for (const wake of this.bulkWaiters.splice(0)) wake();
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
    const signal = this.deps.signal();
    const result: PullResult = { peer, entries: 0, fetched: 0, applied: 0, erased: 0, ms: 0 };
    const fresh: PeerSyncState = { epoch: null, seq: 0, lastSync: null, lastFetched: 0 };
    // A sweep reads the whole feed on a copy of the state: the persisted cursor never moves back.
    let state = full ? { ...(this.states.get(peer) ?? fresh), seq: 0 } : { ...(this.states.get(peer) ?? fresh) };
    // A newcomer's first pull brings the membership document first (it sits at the end of the
    // feed): a newcomer stopped during its initial sync must know the members when it restarts,
    // or it has no one to dial or admit (the join's bootstrap peer is not kept across restarts).
    if (!full && state.seq === 0) await this.syncMembership(peer, undefined);
    for (;;) {
      signal.throwIfAborted();
      const res = await request(this.deps.transport, peer, { t: 'feed', since: state.seq, epoch: state.epoch, limit: FEED_PAGE, ...(full ? {} : { mine: this.deps.store.epoch }) }, FeedResponse, signal);
      if (full && state.epoch !== null && res.epoch !== state.epoch) break; // a recreated store: the next ordinary pull starts over
      if (state.epoch !== null && res.epoch !== state.epoch) {
        // The peer's store was recreated: its sequence numbers start over, so must our cursor.
        this.deps.logger.info({ peer }, 'peer feed epoch changed; resyncing from the start');
        state = { epoch: res.epoch, seq: 0, lastSync: null, lastFetched: 0 };
        continue;
      }
      state.epoch = res.epoch;
      result.entries += res.entries.length;
      const page = await this.reconcile(peer, res.entries, res.epoch, markBulk, { skipRefused: false });
      // Stopped meanwhile: some documents may not have been written; the cursor stays where it was.
      signal.throwIfAborted();
      result.fetched += page.fetched;
      result.applied += page.applied;
      result.erased += page.erased;
      // Never move the cursor past a document that could not be fetched (a reply cut short, a
      // failed request): the next pull offers it again. A document that was refused or failed to
      // apply is recorded instead (RejectionLog) and the cursor moves on: one bad document must
      // not hold every write after it.
      const held = res.entries.filter((e) => page.held.has(docKey(e.c, e.id))).map((e) => e.seq);
      if (full) {
        if (held.length > 0) this.deps.logger.warn({ peer, failed: held.length }, 'some documents could not be fetched during a sweep; the next one retries them');
        state.seq = res.last;
        if (!res.more) break;
        continue;
      }
      state.seq = held.length > 0 ? Math.min(...held) - 1 : res.last;
      state.lastSync = this.deps.clock.now();
      state.lastFetched = page.fetched;
      this.states.set(peer, { ...state });
      await this.deps.store.putLocal(STATE_PREFIX + peer, state);
      if (held.length > 0) {
        this.deps.logger.warn({ peer, failed: held.length }, 'some documents could not be fetched; they will be asked for again');
        break;
      }
      if (!res.more) break;
    }
    result.ms = Math.round(performance.now() - t0);
    if (result.fetched || result.erased) this.deps.logger.info({ ...result, ...(full ? { full } : {}) }, full ? 'swept the peer feed' : 'pulled from peer');
    else if (full) this.deps.logger.info({ ...result, full }, 'swept the peer feed: nothing differed');
    return result;
  }

  /**
   * Compares heads digests with a peer and fetches the documents of the leaves that differ (at
   * most DIGEST_MAX_LEAVES_PER_ROUND of them, chosen at random). A peer running an earlier
   * version does not speak the digest protocol: nothing to compare, no error.
   */
  async heal(peer: string): Promise<HealResult> {
    const signal = this.deps.signal();
    const result: HealResult = { peer, leaves: 0, fetched: 0, applied: 0, erased: 0 };
    const team = this.deps.canShare('team', peer);
    const ask = <S extends z.ZodType>(message: unknown, schema: S) => request(this.deps.transport, peer, message, schema, signal, SYNC_DIGEST_PROTOCOL);
    let top: z.infer<typeof DigestResponse>;
    try {
      top = await ask({ t: 'digest', team }, DigestResponse);
    } catch (err) {
      this.deps.logger.debug({ peer, err: (err as Error).message }, 'no digest from peer');
      return result;
    }
    const theirTops = bytesToU32(top.tops, DIGEST_TOPS);
    if (!theirTops) return result;
    const tops = differing(theirTops, this.deps.digest.tops(team));
    if (tops.length === 0) return result;
    const { sums } = await ask({ t: 'leaves', team, tops }, LeavesResponse);
    const theirLeaves = bytesToU32(sums, tops.length * LEAVES_UNDER_TOP);
    if (!theirLeaves) return result;
    const mine = this.deps.digest.leaves(tops, team);
    const leaves = differing(theirLeaves, mine).map((i) => tops[Math.floor(i / LEAVES_UNDER_TOP)]! * LEAVES_UNDER_TOP + (i % LEAVES_UNDER_TOP));
    result.leaves = leaves.length;
    if (leaves.length === 0) return result;
    const chosen = this.sample(leaves, DIGEST_MAX_LEAVES_PER_ROUND).filter((l) => l < DIGEST_LEAVES);
    const { entries, epoch } = await ask({ t: 'entries', team, leaves: chosen }, EntriesResponse);
    const done = await this.reconcile(peer, entries, epoch, () => undefined, { skipRefused: true });
    Object.assign(result, { fetched: done.fetched, applied: done.applied, erased: done.erased });
    if (done.fetched || done.erased) this.deps.logger.info({ ...result }, 'the heads digest found documents a pull had not brought; fetched them');
    return result;
  }

  private sample<T>(xs: T[], n: number): T[] {
    if (xs.length <= n) return xs;
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.deps.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out.slice(0, n);
  }

  /**
   * Brings this host up to date with a list of the peer's documents (a feed page, or the entries
   * of differing digest leaves): applies their tombstones, fetches the ones whose heads differ
   * from ours. `held`: documents that could not be fetched and must be asked for again.
   */
  private async reconcile(peer: string, entries: Entry[], epoch: string, markBulk: (docs: number) => void, opts: { skipRefused: boolean }) {
    const out = { fetched: 0, applied: 0, erased: 0, held: new Set<string>() };
    const live = entries.filter((e) => e.heads !== null);
    // A tombstone signed by a member we have not heard of yet (a newcomer's first pull sees
    // erasures before the membership document, which sits at the end of the feed): fetch the
    // peer's membership first, or the erasure would be refused here.
    if (entries.some((e) => e.tomb && !(e.tomb.by && this.deps.membership.get(e.tomb.by)))) await this.syncMembershipOnce(peer, epoch);
    // A peer we do not know as a member yet (the inviter, at a newcomer's first pull) signed what
    // it sends: learn the membership before its documents, or each would wait for it.
    else if (entries.length > 0 && !this.deps.membership.get(peer)) await this.syncMembershipOnce(peer, epoch);
    // Tombstones go through the one apply point, like every document (IncomingGuard).
    for (const e of entries) if (e.tomb && (await this.deps.applier.apply(peer, { c: e.c, id: e.id, heads: [], tomb: e.tomb })) === 'applied') out.erased++;
    const local = await this.deps.store.headsMany(live.map((e) => ({ collection: e.c, id: e.id })));
    const need: Need[] = [];
    live.forEach((e, i) => {
      const mine = local[i];
      if (mine === null) return; // erased here: never re-import
      if (mine && e.heads && sameSet(mine, e.heads)) return;
      if (opts.skipRefused && this.deps.rejections.recentlyRefused(e.c, e.id, e.heads)) return;
      need.push({ c: e.c, id: e.id, heads: mine ?? [] });
    });
    out.fetched = need.length;
    markBulk(need.length);
    const { applied, held } = await this.fetch(peer, need, epoch);
    out.applied = applied;
    out.held = held;
    return out;
  }

  /** Pulls the membership document from this peer now (a guard met an author it does not know yet); false when that failed. */
  refreshMembership(peer: string): Promise<boolean> {
    return this.syncMembershipOnce(peer, undefined);
  }

  private readonly membershipSyncs = new Map<string, Promise<boolean>>();

  /** One membership sync per peer at a time: every document of a batch naming an unknown signer waits on the same one. */
  private syncMembershipOnce(peer: string, epoch: string | undefined): Promise<boolean> {
    let running = this.membershipSyncs.get(peer);
    if (!running) {
      running = this.syncMembership(peer, epoch)
        .then(() => true)
        .catch((err: unknown) => {
          this.deps.logger.debug({ peer, err: (err as Error).message }, 'membership sync failed');
          return false;
        })
        .finally(() => this.membershipSyncs.delete(peer));
      this.membershipSyncs.set(peer, running);
    }
    return running;
  }

  /** Brings the membership document up to date with the peer's, and the in-memory view with it. */
  private async syncMembership(peer: string, epoch: string | undefined): Promise<void> {
    const heads = await this.deps.store.heads('mesh', this.deps.membership.docId);
    if (heads === null) return;
    const { held } = await this.fetch(peer, [{ c: 'mesh', id: this.deps.membership.docId, heads: heads ?? [] }], epoch);
    await this.deps.membership.refresh();
    if (held.size > 0) throw new Error('the membership document was not answered');
  }

  /**
   * Fetches documents in batches, applying each batch's documents concurrently so writes
   * group-commit. The next batch is requested while this one applies, so the peer's reading and
   * encoding overlaps our writing instead of alternating with it. Each document's failure is its
   * own (DocApplier); `held` are the ones not answered at all, asked for again at the next pull.
   */
  private async fetch(peer: string, need: Need[], epoch: string | undefined): Promise<{ applied: number; held: Set<string> }> {
    const signal = this.deps.signal();
    let applied = 0;
    const held = new Set<string>();
    const batches: Need[][] = [];
    for (let i = 0; i < need.length; i += GET_BATCH) batches.push(need.slice(i, i + GET_BATCH));
    const answered = new Set<string>();
    const ask = (docs: Need[]) => {
      const p = request(this.deps.transport, peer, { t: 'get', docs }, DocsResponse, signal);
      p.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      return p;
    };
    let next = batches.length ? ask(batches[0]!) : undefined;
    for (const [b, batch] of batches.entries()) {
      const res = await next!;
      signal.throwIfAborted();
      next = b + 1 < batches.length ? ask(batches[b + 1]!) : undefined;
      // The heads we sent: changes answered against them can be appended without loading the document.
      const sent = new Map(batch.map((d) => [docKey(d.c, d.id), d.heads]));
      for (const d of res.docs) answered.add(docKey(d.c, d.id));
      // A reply cut short at its size budget: the rest go into one more batch. A reply that
      // answers nothing at all would loop, so those documents are held for the next pull instead.
      const unanswered = batch.filter((d) => !answered.has(docKey(d.c, d.id)));
      if (unanswered.length && res.docs.length > 0) {
        batches.push(unanswered);
        if (!next) next = ask(unanswered);
      } else for (const d of unanswered) held.add(docKey(d.c, d.id));
      const outcomes = await this.applyAll(peer, res.docs, (doc) => ({ base: sent.get(docKey(doc.c, doc.id)), epoch }), signal);
      applied += outcomes.filter((o) => o === 'applied').length;
      // Changes whose dependencies we lack: ask again for the whole document and merge it.
      const retry = res.docs.filter((_, j) => outcomes[j] === 'incomplete').map((d) => ({ c: d.c, id: d.id, heads: [] as string[] }));
      if (retry.length) {
        const full = await request(this.deps.transport, peer, { t: 'get', docs: retry }, DocsResponse, signal);
        const again = await this.applyAll(peer, full.docs, () => ({ base: [], epoch }), signal);
        applied += again.filter((o) => o === 'applied').length;
        full.docs.forEach((d, j) => {
          if (again[j] !== 'incomplete') return;
          // The whole document still misses history it names: the peer's copy is damaged. Said, not retried in a loop.
          this.deps.logger.warn({ peer, collection: d.c, id: d.id }, 'a whole document from a peer names history it does not hold');
          this.deps.rejections.record({ collection: d.c, id: d.id, peer, direction: 'in', reason: 'history incomplete even as a whole document', heads: d.heads });
        });
        // A reply cut short at its size budget leaves some unanswered: hold them too, or the cursor
        // would move past documents that never applied.
        const got = new Set(full.docs.map((d) => docKey(d.c, d.id)));
        for (const d of retry) if (!got.has(docKey(d.c, d.id))) held.add(docKey(d.c, d.id));
      }
    }
    return { applied, held };
  }

  /**
   * Applies a reply's documents concurrently, started APPLY_START_GROUP at a time with a turn of the
   * event loop between, so a stop, a socket call or a signature check's completion is not kept
   * waiting behind a whole batch. Once the engine stops, no more are started: those started finish
   * (their writes are queued) and the pull ends without moving its cursor past the rest.
   */
  private async applyAll(peer: string, docs: DocPayload[], answer: (doc: DocPayload) => Answered, signal: AbortSignal): Promise<ApplyOutcome[]> {
    const started: Promise<ApplyOutcome>[] = [];
    for (const [i, doc] of docs.entries()) {
      if (i > 0 && i % APPLY_START_GROUP === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal.aborted) break;
      started.push(this.deps.applier.apply(peer, doc, answer(doc)));
    }
    const outcomes = await Promise.all(started);
    signal.throwIfAborted();
    return outcomes;
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

  get bulkRunning(): boolean {
    return this.bulkPulls > 0;
  }
}
