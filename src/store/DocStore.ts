import * as A from '@automerge/automerge';
import { ClassicLevel } from 'classic-level';
import { DOC_CACHE_SIZE, ERASED_HERE_KEPT } from '../constants.js';
import { changeMeta } from '../authorship/changeMeta.js';
import type { ChangeSigner } from '../authorship/changeSignatures.js';
import { encodeRecords, mergeRecords } from '../authorship/signatureRecords.js';
import { MeshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Collection } from '../types.js';
import { LruCache } from './LruCache.js';
import { automergeChunksValid } from './automergeChunks.js';
import { readLevelDbReports } from './levelDbLog.js';
import { docKey, logKey, parseLogKey } from './keys.js';
import type { CommitEvent, FeedEntry, LogEntry, ShareScope, Tombstone } from './types.js';

function openSublevel(db: ClassicLevel<string, Uint8Array>, name: string) {
  return db.sublevel<string, Uint8Array>(name, { valueEncoding: 'view' });
}
type Sub = ReturnType<typeof openSublevel>;

interface PendingWrite {
  ops: WriteOp[];
  /** The seq of the write's last applied op, or undefined when every op was conditional and refused. */
  resolve: (seq: number | undefined) => void;
  reject: (err: unknown) => void;
  /** Already retried after a repair (a write is retried once). */
  retried?: boolean;
}

interface OpCommon {
  collection: Collection;
  id: string;
  scope: ShareScope;
  origin: string | undefined;
  /** Feed epoch of `origin` when the written version is exactly the one it sent (see FeedEntry.from). */
  originEpoch?: string | undefined;
  /** Signature records of the changes this write adds, stored beside the document (src/authorship). */
  sigs?: Uint8Array | undefined;
}

/**
 * `put` and `erase` always apply. `import` and `append` are conditional writes of replicated
 * documents that skip loading them; their condition is checked when the batch is written (the one
 * place every write passes through in order), so no write that landed in between can be lost:
 * - `import`: a document this host has never had (no document, no tombstone);
 * - `append`: changes on top of exactly the heads this host had when it asked for them; the stored
 *   bytes become the saved document followed by the change chunks (Automerge loads that as one).
 */
type WriteOp =
  | (OpCommon & { kind: 'put' | 'import'; bytes: Uint8Array; view: unknown; heads: string[]; changes: Uint8Array[] | undefined; base: string[] | undefined })
  | (OpCommon & { kind: 'append'; changes: Uint8Array[]; view: unknown; heads: string[]; base: string[] })
  | (OpCommon & { kind: 'erase'; tombstone: Tombstone });

/** Where a document stands in this host's feed: the seq of its newest write and its heads then. */
interface FeedKey {
  seq: number;
  heads: string[] | null;
}

export interface MutateOptions {
  /** Peer id the change came from (replication); undefined for local writes. */
  origin?: string;
  /** Signature records that came with a replicated change (checked by the sync engine's guards). */
  sigs?: Uint8Array | undefined;
}

/** One document as stored, read consistently (see DocStore.readMany). */
export interface StoredDoc {
  tomb: Tombstone | undefined;
  view: unknown;
  /** Heads of the stored version; null once erased, undefined if never stored. */
  heads: string[] | null | undefined;
  bytes: Uint8Array | undefined;
  /** Signature records of the document's changes (src/authorship/signatureRecords.ts). */
  sigs: Uint8Array | undefined;
  /** Bytes of the stored view, as JSON (what it costs to send it). */
  viewBytes: number;
  /** Set when a record of this document does not decode: why. */
  damaged?: string;
}

/** A document whose stored records could not be read back, or did not match each other. */
export interface DamagedDoc {
  collection: Collection;
  id: string;
  reason: string;
  at: string;
}

export interface VerifyReport {
  /** Records read (every key of every sublevel). */
  records: number;
  damaged: DamagedDoc[];
  /** LevelDB's repair ran (a block could not be read). */
  repaired: boolean;
  ms: number;
}

/** Local-sublevel prefix of the damaged-document register (kept across restarts until healed or erased). */
const DAMAGED_PREFIX = 'damaged/';

export type Mutation<T> = { doc: A.Doc<T>; view: unknown; scope?: ShareScope } | undefined;

/**
 * Automerge documents in LevelDB, one document per entity, with a JSON view of each beside it.
 *
 * Writes are group-committed: everything queued while a synced batch is in flight goes into the
 * next batch, so concurrent writers share one fsync. A write's promise resolves only after its
 * batch is on disk; that is the durability point an acknowledgement may rely on.
 * Every committed write appends to a sequence log that derived indexes replay from.
 */
export class DocStore {
  private readonly db: ClassicLevel<string, Uint8Array>;
  private readonly docs: Sub;
  private readonly views: Sub;
  private readonly tombs: Sub;
  private readonly log: Sub;
  private readonly meta: Sub;
  private readonly feed: Sub;
  private readonly feedKeys: Sub;
  private readonly local: Sub;
  private readonly sigs: Sub;
  private readonly listeners = new Set<(event: CommitEvent) => void>();
  private readonly batchListeners = new Set<(events: readonly CommitEvent[]) => void>();
  private epochId = '';
  private trimmedTo = 0;
  private readonly cache = new LruCache<string, A.Doc<unknown>>(DOC_CACHE_SIZE);
  private readonly loading = new Map<string, Promise<A.Doc<unknown> | undefined>>();
  /** Versions queued but not yet durable; pinned here so cache eviction can never resurrect an older one from disk. */
  private readonly unflushed = new Map<string, A.Doc<unknown> | null>();
  /** Keys erased since the last compaction; compaction deletes them again (see compact()). */
  private readonly erasedKeys = new Set<string>();
  /**
   * Keys erased by this process, the newest ERASED_HERE_KEPT, oldest first. A writer that loaded
   * (or a peer's document that arrived) before the erasure must not put the document back after
   * it: tombstones are final. Keys erased earlier (or before the store opened) have their
   * tombstone on disk, which replication checks before writing. Bounded: one key per erasure
   * (retention sweeps, forgotten agents) for the daemon's life would only grow.
   */
  private readonly erasedHere = new Set<string>();
  /** Fast imports and appends not yet durable: a writer to the same key waits for them instead of seeing an older version. */
  private readonly importing = new Map<string, Promise<number | undefined>>();
  /** Keys whose disk read was in flight when an import or append was queued: that read must be redone. */
  private readonly stale = new Set<string>();
  /**
   * Signature records of replicated changes Automerge is holding in a cached document until their
   * history arrives (a push received before the one it follows): no write happened, so they are
   * kept here and stored with the document's next write — the merge that applies those changes.
   * Without them this host held, and served, changes with no signature, which every host that got
   * them from here refused (issue 16 item 5(b) audit).
   */
  private readonly queuedSigs = new Map<string, Uint8Array>();
  private pending: PendingWrite[] = [];
  private flushing: Promise<void> | undefined;
  private seq = 0;
  private status: 'new' | 'open' | 'closing' | 'closed' = 'new';
  /** Documents whose records are unreadable or inconsistent, by key; re-fetched by sync or erased. */
  private readonly damaged = new Map<string, DamagedDoc>();
  /** LevelDB's own reports of lost data (its LOG file) and our repairs, newest last. */
  private reports: string[] = [];
  private verifiedAt: string | null = null;
  private repairing: Promise<void> | undefined;

  /**
   * @param actorId this host's Automerge actor: documents loaded from disk get it, so every local
   *   change in any document's history names this host.
   * @param signer signs every local change over its hash (the key `actorId` is bound to); the
   *   signatures are kept beside the document and replicated with it.
   */
  constructor(
    readonly path: string,
    private readonly logger: Logger,
    private readonly actorId?: string,
    private readonly signer?: ChangeSigner,
  ) {
    this.db = new ClassicLevel<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
    this.docs = openSublevel(this.db, 'd');
    this.views = openSublevel(this.db, 'v');
    this.tombs = openSublevel(this.db, 't');
    this.log = openSublevel(this.db, 'l');
    this.meta = openSublevel(this.db, 'm');
    this.feed = openSublevel(this.db, 'f');
    this.feedKeys = openSublevel(this.db, 'k');
    this.local = openSublevel(this.db, 'x');
    this.sigs = openSublevel(this.db, 's');
  }

  /** This host's Automerge actor, for documents created from replicated changes. */
  get actor(): string | undefined {
    return this.actorId;
  }

  /** Opens the database. A second process on the same home gets DAEMON_ALREADY_RUNNING. */
  async open(): Promise<void> {
    try {
      await this.db.open();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') {
        throw new MeshError('DAEMON_ALREADY_RUNNING', `the store at ${this.path} is locked by another process (is a daemon already running for this home?)`);
      }
      throw err;
    }
    try {
      await this.readOpenState();
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'LEVEL_CORRUPTION') throw err;
      // A damaged block under the store's own bookkeeping: nothing else can start before repair.
      const reason = (err as Error).message;
      this.logger.error({ reason }, 'LevelDB reported damaged data while opening the store: repairing it (damaged blocks are dropped; their documents are re-fetched from peers)');
      await this.db.close();
      await ClassicLevel.repair(this.path);
      await this.db.open();
      await Promise.all([this.docs, this.views, this.tombs, this.log, this.meta, this.feed, this.feedKeys, this.local, this.sigs].map((sub) => sub.open()));
      await this.readOpenState();
      this.reports.push(`repaired at open after: ${reason}`);
    }
    this.status = 'open';
  }

  /** Sequence, epoch, LevelDB's own reports and the damaged-document register, read at open. */
  private async readOpenState(): Promise<void> {
    const seqBytes = await this.meta.get('seq');
    this.seq = seqBytes ? Number(decodeJson(seqBytes)) : 0;
    const trimmedBytes = await this.meta.get('trimmed');
    this.trimmedTo = trimmedBytes ? Number(decodeJson(trimmedBytes)) : 0;
    // The epoch names this database's sequence; a peer seeing a new epoch (wiped store) restarts from 0.
    // LevelDB drops a damaged stretch of its write-ahead log at open and only says so in its LOG.
    this.reports = (await readLevelDbReports(this.path)).map((line) => `LevelDB: ${line}`);
    if (this.reports.length) this.logger.error({ reports: this.reports }, 'LevelDB reported lost or damaged data while opening the store');
    for await (const [key, value] of this.local.iterator({ gte: DAMAGED_PREFIX, lt: `${DAMAGED_PREFIX}\xff` })) {
      this.damaged.set(key.slice(DAMAGED_PREFIX.length), decodeJson(value) as DamagedDoc);
    }
    const epochBytes = await this.meta.get('epoch');
    if (epochBytes) this.epochId = String(decodeJson(epochBytes));
    else {
      this.epochId = crypto.randomUUID();
      await this.db.batch([{ type: 'put', sublevel: this.meta, key: 'epoch', value: encodeJson(this.epochId) }], { sync: true });
    }
  }

  async close(): Promise<void> {
    if (this.status !== 'open') return;
    this.status = 'closing';
    await this.flushing;
    this.status = 'closed';
    await this.db.close();
  }

  get isOpen(): boolean {
    return this.status === 'open';
  }

  /** What `mesh doctor` and `mesh status` report about the store's integrity. */
  integrity(): { damaged: DamagedDoc[]; log_reports: string[]; verified_at: string | null } {
    return { damaged: [...this.damaged.values()], log_reports: [...this.reports], verified_at: this.verifiedAt };
  }

  isDamaged(collection: Collection, id: string): boolean {
    return this.damaged.has(docKey(collection, id));
  }

  /**
   * Reads every record of the store once (so LevelDB reads and decompresses every block), checks
   * each document's Automerge checksums and each view and feed record, and cross-checks that
   * every live document has its bytes, view and feed record (`expected`: keys another index
   * says exist, such as the memories catalog). An unreadable block makes LevelDB's repair run
   * (it drops the block; the store is otherwise unwritable once a compaction meets it). Every
   * document found damaged is registered; one whose bytes are lost or bad has its remaining
   * records removed, so sync can fetch it whole from a peer that has it.
   */
  async verify(expected: Iterable<string> = []): Promise<VerifyReport> {
    const t0 = performance.now();
    const want = [...expected];
    let scan = await this.scanRecords();
    let repaired = false;
    // Closed under the pass (the daemon stopping): nothing was learned, and nothing may be repaired.
    if (this.status !== 'open') return { records: scan.records, damaged: [], repaired, ms: Math.round(performance.now() - t0) };
    if (scan.error) {
      await this.repair(scan.error);
      repaired = true;
      scan = await this.scanRecords();
      if (scan.error) this.reports.push(`still unreadable after repair: ${scan.error}`);
    }
    const found: DamagedDoc[] = [];
    const at = new Date().toISOString();
    for (const key of new Set([...scan.docs, ...scan.views, ...scan.live, ...want])) {
      if (scan.tombs.has(key) || this.unflushed.has(key) || this.importing.has(key)) continue;
      const lost = [!scan.docs.has(key) && 'document bytes', !scan.views.has(key) && 'view', !scan.live.has(key) && 'feed record'].filter(Boolean);
      const bad = scan.bad.get(key);
      if (lost.length === 0 && !bad) continue;
      const slash = key.indexOf('/');
      const reason = [bad, lost.length ? `${lost.join(', ')} missing` : ''].filter(Boolean).join('; ');
      found.push({ collection: key.slice(0, slash) as Collection, id: key.slice(slash + 1), reason, at });
    }
    const damaged: DamagedDoc[] = [];
    let rewritten = 0;
    for (const d of found) {
      const key = docKey(d.collection, d.id);
      const intact = scan.docs.has(key) && scan.views.has(key) && !scan.bad.has(key);
      // Only the feed record is lost: the document and its view are whole, so it is written again as it is.
      if (intact && (await this.rewriteFeedRecord(d.collection, d.id))) {
        rewritten++;
        continue;
      }
      damaged.push(d);
      await this.registerDamage(d, true);
    }
    if (rewritten > 0) this.reports.push(`rewrote ${rewritten} lost feed record(s) of intact documents`);
    this.verifiedAt = at;
    return { records: scan.records, damaged, repaired, ms: Math.round(performance.now() - t0) };
  }

  /** Re-commits a document whose bytes and view are whole but whose feed record was lost; false when that is not so after all. */
  private async rewriteFeedRecord(collection: Collection, id: string): Promise<boolean> {
    const key = docKey(collection, id);
    const [bytes, viewBytes] = await Promise.all([this.docs.get(key), this.views.get(key)]);
    const view = viewBytes ? parses(viewBytes) : undefined;
    if (!bytes || view === undefined) return false;
    let heads: string[];
    try {
      heads = A.getHeads(A.load(bytes));
    } catch {
      return false;
    }
    const s = (view as { scope?: unknown }).scope;
    const scope: ShareScope = s === 'private' || s === 'team' ? s : 'mesh';
    await this.write([{ kind: 'put', collection, id, bytes, view, heads, changes: undefined, base: undefined, scope, origin: undefined }]);
    return true;
  }

  /** One pass over every record, from one snapshot: what each sublevel holds, and what fails its check. */
  private async scanRecords() {
    const docs = new Set<string>();
    const views = new Set<string>();
    const live = new Set<string>();
    const tombs = new Set<string>();
    const bad = new Map<string, string>();
    /** Damaged log and feed records: derived bookkeeping, removed (a replay or a peer would trip on them). */
    const unreadable: { sub: 'l' | 'f'; key: string }[] = [];
    let records = 0;
    let error: string | undefined;
    try {
      for await (const [raw, value] of this.db.iterator({ keyEncoding: 'utf8', valueEncoding: 'view' })) {
        records++;
        const sub = raw.slice(1, raw.indexOf('!', 1));
        const key = raw.slice(sub.length + 2);
        if (sub === 'd') {
          docs.add(key);
          // The checksum first (cheap); a full load only for a suspect, so a false alarm is impossible.
          if (!automergeChunksValid(value) && !loads(value)) bad.set(key, 'document bytes fail their checksum');
        } else if (sub === 'v') {
          views.add(key);
          if (!parses(value)) bad.set(key, 'view is not valid JSON');
        } else if (sub === 'k') {
          const feed = parses(value) as FeedKey | undefined;
          if (feed === undefined) bad.set(key, 'feed record is not valid JSON');
          else if (feed.heads !== null) live.add(key);
        } else if (sub === 't') tombs.add(key);
        else if ((sub === 'l' || sub === 'f') && !parses(value)) unreadable.push({ sub, key });
      }
    } catch (err) {
      // LevelDB skips a block it cannot read and reports it when the iteration ends.
      error = (err as Error).message;
    }
    if (unreadable.length > 0) {
      const batch = this.db.batch();
      for (const r of unreadable) batch.del(r.key, { sublevel: r.sub === 'l' ? this.log : this.feed });
      await batch.write({ sync: true });
      this.reports.push(`removed ${unreadable.length} unreadable log or feed record(s)`);
      this.logger.error({ records: unreadable.length }, 'removed unreadable log or feed records');
    }
    return { docs, views, live, tombs, bad, records, error };
  }

  /** Runs LevelDB's repair now (a caller met an unreadable block); see `repair`. */
  repairNow(reason: string): Promise<void> {
    return this.repair(reason);
  }

  /**
   * Runs LevelDB's repair (RepairDB: rebuilds the table files, dropping blocks that cannot be
   * read). Writes wait; reads in flight fail while the store is closed for it.
   */
  private repair(reason: string): Promise<void> {
    this.repairing ??= (async () => {
      this.logger.error({ reason }, 'LevelDB reported damaged data: repairing the store (damaged blocks are dropped; their documents are re-fetched from peers)');
      await this.db.close();
      try {
        await ClassicLevel.repair(this.path);
      } finally {
        await this.db.open();
        // Closing the database closed its sublevels, and reopening it does not reopen them.
        await Promise.all([this.docs, this.views, this.tombs, this.log, this.meta, this.feed, this.feedKeys, this.local, this.sigs].map((sub) => sub.open()));
      }
      this.reports.push(`repaired after: ${reason}`);
    })().finally(() => (this.repairing = undefined));
    return this.repairing;
  }

  /** Registers a damaged document (persisted); with `reset`, removes its remaining records so sync can import it whole. */
  private async registerDamage(d: DamagedDoc, reset: boolean): Promise<void> {
    const key = docKey(d.collection, d.id);
    this.damaged.set(key, d);
    this.cache.delete(key);
    this.logger.error({ collection: d.collection, id: d.id, reason: d.reason }, 'damaged document');
    const batch = this.db.batch();
    batch.put(DAMAGED_PREFIX + key, encodeJson(d), { sublevel: this.local });
    if (reset) {
      // Deleting never reads the damaged block, so it succeeds where reads fail.
      batch.del(key, { sublevel: this.docs });
      batch.del(key, { sublevel: this.views });
      batch.del(key, { sublevel: this.feedKeys });
    }
    await batch.write({ sync: true });
  }

  get epoch(): string {
    return this.epochId;
  }

  /** Subscribes to durable commits; returns the unsubscribe function. */
  onCommit(listener: (event: CommitEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Subscribes to durable commits a batch at a time (every write of one group commit, in order),
   * for followers that are much cheaper per batch than per write (one SQLite transaction). Called
   * at the same point as `onCommit` listeners: before any writer of the batch resumes.
   */
  onCommits(listener: (events: readonly CommitEvent[]) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** The sequence number of the last committed write. */
  /** Keys remembered as erased by this process (bounded by ERASED_HERE_KEPT). */
  get erasedHereCount(): number {
    return this.erasedHere.size;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Loads a document (newest version, queued or durable). Concurrent loads of one key share one read. */
  async load<T>(collection: Collection, id: string): Promise<A.Doc<T> | undefined> {
    const key = docKey(collection, id);
    const loaded = await this.ensureLoaded(key);
    return (this.latest(key) ?? loaded) as A.Doc<T> | undefined;
  }

  /**
   * Applies `fn` to the newest version of a document and queues the result, resolving once it is
   * durable. `fn` runs synchronously right after the load, so concurrent mutations of one document
   * chain one after another instead of forking it. `fn` may throw to refuse the change.
   */
  async mutate<T>(
    collection: Collection,
    id: string,
    fn: (current: A.Doc<T> | undefined) => Mutation<T>,
    opts: MutateOptions = {},
  ): Promise<{ seq: number; doc: A.Doc<T> | undefined; changed: boolean }> {
    this.assertOpen();
    const key = docKey(collection, id);
    let loaded = await this.ensureLoaded(key);
    // An import or append queued while we loaded replaces what we read: load again, after it.
    while (this.importing.has(key)) loaded = await this.ensureLoaded(key);
    if (this.erasedHere.has(key)) throw new MeshError('ERASED', `${collection}/${id} was erased`, { id });
    const current = (this.latest(key) ?? loaded) as A.Doc<T> | undefined;
    const result = fn(current);
    if (!result) return { seq: this.seq, doc: current, changed: false };
    // A change that adds nothing (replication delivering what we already have): no write. But
    // applyChanges/merge hand back a new object and make `current` outdated, so cache the new one.
    if (current && sameHeads(A.getHeads(current), A.getHeads(result.doc))) {
      if (result.doc !== current) {
        this.cache.set(key, result.doc);
        if (this.unflushed.get(key) === current) this.unflushed.set(key, result.doc);
        if (opts.origin !== undefined && opts.sigs?.byteLength) this.queuedSigs.set(key, mergeRecords(this.queuedSigs.get(key), opts.sigs)!);
      }
      return { seq: this.seq, doc: result.doc, changed: false };
    }
    const { doc, view } = result;
    const changes = current ? A.getChanges(current, doc) : A.getAllChanges(doc);
    // Signed before anything is cached or queued: a change that cannot be signed is never written.
    let sigs = opts.origin === undefined ? this.signLocal(changes) : opts.sigs;
    const queued = this.queuedSigs.get(key);
    if (queued) {
      sigs = mergeRecords(queued, sigs);
      this.queuedSigs.delete(key);
    }
    this.cache.set(key, doc);
    this.unflushed.set(key, doc);
    try {
      const seq = await this.write([
        { kind: 'put', collection, id, bytes: A.save(doc), view, heads: A.getHeads(doc), changes, base: current ? A.getHeads(current) : [], scope: result.scope ?? 'mesh', origin: opts.origin, sigs },
      ]);
      return { seq, doc, changed: true };
    } finally {
      if (this.unflushed.get(key) === doc) this.unflushed.delete(key);
    }
  }

  /**
   * Stores a document this host does not have, as a peer saved it, without loading it (loading
   * costs ~1 ms per document, which would dominate an initial sync). The view comes from the
   * sending member and was validated by the caller; the next local write recomputes it.
   * Resolves to undefined (nothing written) when this host has the document, or its tombstone.
   */
  importDoc(collection: Collection, id: string, bytes: Uint8Array, view: unknown, heads: string[], scope: ShareScope, origin: string, originEpoch?: string, sigs?: Uint8Array): Promise<number | undefined> {
    return this.conditional({ kind: 'import', collection, id, bytes, view, heads, changes: undefined, base: undefined, scope, origin, originEpoch, sigs });
  }

  /**
   * Adds a peer's changes to a document without loading it: the changes must be exactly those
   * after `base`, the heads this host had when it asked, and the view the sender's for `heads`.
   * The document is stored as its saved bytes followed by the change chunks, which Automerge
   * loads as one document; the next local write saves it compacted. Resolves to undefined
   * (nothing written) when the document is no longer at `base` here; the caller then merges.
   */
  appendChanges(collection: Collection, id: string, changes: Uint8Array[], view: unknown, heads: string[], base: string[], scope: ShareScope, origin: string, originEpoch?: string, sigs?: Uint8Array): Promise<number | undefined> {
    return this.conditional({ kind: 'append', collection, id, changes, view, heads, base, scope, origin, originEpoch, sigs });
  }

  private conditional(op: WriteOp & { kind: 'import' | 'append' }): Promise<number | undefined> {
    this.assertOpen();
    const key = docKey(op.collection, op.id);
    // A local or merged version on its way to disk, or another import: the caller takes the merge path.
    if (this.erasedHere.has(key) || this.importing.has(key) || this.unflushed.has(key)) return Promise.resolve(undefined);
    this.cache.delete(key);
    if (this.loading.has(key)) this.stale.add(key);
    const pending = this.enqueue([op]);
    this.importing.set(key, pending);
    return pending.finally(() => {
      if (this.importing.get(key) === pending) this.importing.delete(key);
    });
  }

  /** The saved bytes of a document (what a peer with nothing gets): from disk unless a newer version is still queued. */
  async rawDoc(collection: Collection, id: string): Promise<Uint8Array | undefined> {
    const key = docKey(collection, id);
    // The cache only ever holds what is on disk (or queued), so saving it again would only cost time.
    const pending = this.unflushed.get(key);
    if (pending) return A.save(pending);
    if (pending === null) return undefined;
    return this.docs.get(key);
  }

  /** Heads of a document's newest durable write, without loading it; null once erased. */
  async heads(collection: Collection, id: string): Promise<string[] | null | undefined> {
    const bytes = await this.feedKeys.get(docKey(collection, id));
    return bytes ? (decodeJson(bytes) as FeedKey).heads : undefined;
  }

  async headsMany(keys: readonly { collection: Collection; id: string }[]): Promise<(string[] | null | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.feedKeys.getMany(keys.map((k) => docKey(k.collection, k.id)));
    return values.map((bytes) => (bytes ? (decodeJson(bytes) as FeedKey).heads : undefined));
  }

  /** This host's feed after `seq`: the newest state of every document written since, oldest first. */
  async feedSince(seq: number, limit: number): Promise<{ entries: FeedEntry[]; last: number; more: boolean }> {
    const entries: FeedEntry[] = [];
    let last = seq;
    let more = false;
    for await (const [key, bytes] of this.feed.iterator({ gt: logKey(seq) })) {
      if (entries.length >= limit) {
        more = true;
        break;
      }
      let entry: FeedEntry;
      try {
        entry = { seq: parseLogKey(key), ...(decodeJson(bytes) as Omit<FeedEntry, 'seq'>) };
      } catch (err) {
        // A damaged entry is passed over (and said), not a reason to fail every page after it.
        this.logger.warn({ key, err: (err as Error).message }, 'a feed entry does not decode');
        last = parseLogKey(key);
        continue;
      }
      entries.push(entry);
      last = entry.seq;
    }
    if (!more) last = Math.max(last, entries.length ? last : seq);
    return { entries, last, more };
  }

  /** Host-local records that never replicate (invites, per-peer sync cursors). */
  async getLocal<T>(key: string): Promise<T | undefined> {
    const bytes = await this.local.get(key);
    return bytes ? (decodeJson(bytes) as T) : undefined;
  }

  async putLocal(key: string, value: unknown): Promise<void> {
    await this.db.batch([{ type: 'put', sublevel: this.local, key, value: encodeJson(value) }], { sync: true });
  }

  async *scanLocal<T>(prefix: string): AsyncGenerator<[string, T]> {
    for await (const [key, bytes] of this.local.iterator({ gte: prefix, lt: `${prefix}\xff` })) yield [key, decodeJson(bytes) as T];
  }

  /** Erases a document: content, view and cache entry go; a tombstone stays so no one re-imports it. */
  erase(collection: Collection, id: string, tombstone: Tombstone, opts: MutateOptions = {}): Promise<number> {
    this.assertOpen();
    const key = docKey(collection, id);
    this.cache.delete(key);
    this.queuedSigs.delete(key);
    this.unflushed.set(key, null);
    this.erasedKeys.add(key);
    this.erasedHere.delete(key); // re-inserted last: the set's order is oldest first
    this.erasedHere.add(key);
    if (this.erasedHere.size > ERASED_HERE_KEPT) this.erasedHere.delete(this.erasedHere.values().next().value!);
    return this.write([{ kind: 'erase', collection, id, tombstone, scope: tombstone.scope ?? 'mesh', origin: opts.origin }]).finally(() => {
      if (this.unflushed.get(key) === null) this.unflushed.delete(key);
    });
  }

  async view<T>(collection: Collection, id: string): Promise<T | undefined> {
    const bytes = await this.views.get(docKey(collection, id));
    return bytes ? (decodeJson(bytes) as T) : undefined;
  }

  /** Ids of a collection's live documents that start with `prefix`, at most `limit` (a key-range scan). */
  async idsWithPrefix(collection: Collection, prefix: string, limit: number): Promise<string[]> {
    const start = docKey(collection, prefix);
    const ids: string[] = [];
    for await (const key of this.views.keys({ gte: start, lt: `${start}\uffff`, limit })) ids.push(key.slice(collection.length + 1));
    return ids;
  }

  async views_<T>(collection: Collection, ids: readonly string[]): Promise<(T | undefined)[]> {
    if (ids.length === 0) return [];
    const values = await this.views.getMany(ids.map((id) => docKey(collection, id)));
    return values.map((bytes) => (bytes ? (decodeJson(bytes) as T) : undefined));
  }

  /**
   * Tombstone, view, heads and saved bytes of each key, all read from one LevelDB snapshot, so a
   * view always belongs to the bytes and heads beside it (what a peer is sent together). Only
   * durable versions: a write still queued shows up at the next exchange.
   */
  async readMany(keys: readonly { collection: Collection; id: string }[]): Promise<StoredDoc[]> {
    if (keys.length === 0) return [];
    const ks = keys.map((k) => docKey(k.collection, k.id));
    const snapshot = this.db.snapshot();
    try {
      const [tombs, views, heads, docs, sigs] = await Promise.all([
        this.tombs.getMany(ks, { snapshot }),
        this.views.getMany(ks, { snapshot }),
        this.feedKeys.getMany(ks, { snapshot }),
        this.docs.getMany(ks, { snapshot }),
        this.sigs.getMany(ks, { snapshot }),
      ]);
      return ks.map((key, i) => {
        try {
          return {
            tomb: tombs[i] ? (decodeJson(tombs[i]) as Tombstone) : undefined,
            view: views[i] ? decodeJson(views[i]) : undefined,
            heads: heads[i] ? (decodeJson(heads[i]) as FeedKey).heads : undefined,
            bytes: docs[i],
            sigs: sigs[i],
            viewBytes: views[i]?.byteLength ?? 0,
          };
        } catch (err) {
          // One damaged record fails its document, never the batch read with it.
          this.logger.warn({ key, err: (err as Error).message }, 'a stored record does not decode');
          return { tomb: undefined, view: undefined, heads: undefined, bytes: undefined, sigs: undefined, viewBytes: 0, damaged: (err as Error).message };
        }
      });
    } finally {
      await snapshot.close();
    }
  }

  async tombstonesMany(keys: readonly { collection: Collection; id: string }[]): Promise<(Tombstone | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.tombs.getMany(keys.map((k) => docKey(k.collection, k.id)));
    return values.map((bytes) => (bytes ? (decodeJson(bytes) as Tombstone) : undefined));
  }

  async tombstone(collection: Collection, id: string): Promise<Tombstone | undefined> {
    const bytes = await this.tombs.get(docKey(collection, id));
    return bytes ? (decodeJson(bytes) as Tombstone) : undefined;
  }

  /** Every view of a collection, in key order. Used to rebuild derived indexes. */
  async *scanViews<T>(collection: Collection): AsyncGenerator<[string, T]> {
    const prefix = `${collection}/`;
    for await (const [key, bytes] of this.views.iterator({ gte: prefix, lt: `${collection}0` })) {
      yield [key.slice(prefix.length), decodeJson(bytes) as T];
    }
  }

  async countDocs(collection: Collection): Promise<number> {
    let n = 0;
    for await (const _ of this.docs.keys({ gte: `${collection}/`, lt: `${collection}0` })) n++;
    return n;
  }

  /** Log entries after `seq`, oldest first. */
  async *changesSince(seq: number): AsyncGenerator<LogEntry> {
    for await (const [key, bytes] of this.log.iterator({ gt: logKey(seq) })) {
      yield { seq: parseLogKey(key), ...(decodeJson(bytes) as Omit<LogEntry, 'seq'>) };
    }
  }

  /** Drops log entries up to and including `seq` once every consumer has them. */
  async trimLog(seq: number): Promise<void> {
    if (seq <= this.trimmedTo) return;
    await this.log.clear({ lte: logKey(seq) });
    await this.meta.put('trimmed', encodeJson(seq));
    this.trimmedTo = seq;
  }

  /**
   * The log holds every write after this sequence number. A derived index that reflects an older
   * sequence cannot catch up from the log (it missed trimmed entries) and must rebuild.
   */
  get logTrimmedTo(): number {
    return this.trimmedTo;
  }

  /** The signature records of a document's changes (src/authorship/signatureRecords.ts). */
  async signatures(collection: Collection, id: string): Promise<Uint8Array | undefined> {
    const key = docKey(collection, id);
    // A version still queued has its records queued with it: wait for them rather than answer without.
    if (this.unflushed.has(key) || this.importing.has(key)) await this.flush();
    return this.sigs.get(key);
  }

  /** Automerge change history of a document: who, where, when, what. */
  async history(collection: Collection, id: string): Promise<A.DecodedChange[] | undefined> {
    const doc = await this.load(collection, id);
    if (!doc) return undefined;
    return A.getAllChanges(doc).map((c) => A.decodeChange(c));
  }

  /**
   * Rewrites LevelDB's files so erased values leave the disk, not just the live key space.
   * LevelDB never rewrites its deepest level during a manual compaction, and a memtable flush
   * can put a value and its deletion into the same deepest-level file. So: flush and compact,
   * delete the erased keys once more (that deletion lands one level above the file holding
   * them), and compact again, which merges into that file and drops every old version.
   */
  async compact(): Promise<void> {
    await this.flush();
    await this.db.compactRange('\x00', '\xff');
    if (this.erasedKeys.size > 0) {
      const keys = [...this.erasedKeys];
      this.erasedKeys.clear();
      const batch = this.db.batch();
      for (const key of keys) {
        if (this.latest(key) !== undefined) continue;
        batch.del(key, { sublevel: this.docs });
        batch.del(key, { sublevel: this.views });
        batch.del(key, { sublevel: this.sigs });
      }
      await batch.write({ sync: true });
      await this.db.compactRange('\x00', '\xff');
    }
  }

  /** Waits for every queued write to be durable. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private latest(key: string): A.Doc<unknown> | undefined {
    const pending = this.unflushed.get(key);
    if (pending === null) return undefined;
    return pending ?? this.cache.get(key);
  }

  private async ensureLoaded(key: string): Promise<A.Doc<unknown> | undefined> {
    const importing = this.importing.get(key);
    if (importing) await importing.catch(() => undefined);
    if (this.unflushed.has(key)) return this.latest(key);
    const cached = this.cache.get(key);
    if (cached) return cached;
    let inflight = this.loading.get(key);
    if (!inflight) {
      inflight = (async () => {
        for (;;) {
          this.stale.delete(key);
          const bytes = await this.docs.get(key).catch((err: unknown) => this.damagedRead(key, err));
          // An import or append was queued during the read: what we read is (or may become) outdated.
          if (this.stale.has(key) || this.importing.has(key)) {
            await this.importing.get(key)?.catch(() => undefined);
            continue;
          }
          let doc: A.Doc<unknown> | undefined;
          try {
            doc = bytes ? A.load<unknown>(bytes, this.actorId ? { actor: this.actorId } : undefined) : undefined;
          } catch (err) {
            return this.damagedRead(key, err);
          }
          if (doc && !this.cache.get(key) && !this.unflushed.has(key)) this.cache.set(key, doc);
          return doc;
        }
      })();
      this.loading.set(key, inflight);
      void inflight.finally(() => this.loading.delete(key)).catch(() => undefined);
    }
    return inflight;
  }

  /** Signature records for this host's own new changes; a change under another actor is a bug, refused loudly. */
  private signLocal(changes: Uint8Array[]): Uint8Array | undefined {
    if (!this.signer || changes.length === 0) return undefined;
    return encodeRecords(
      changes.map((bytes) => {
        const meta = changeMeta(bytes);
        if (meta.actor !== this.actorId) throw new MeshError('INTERNAL', `a local change under actor ${meta.actor} (this host's is ${this.actorId ?? '?'}): refusing to sign it`);
        return { hash: meta.hash, by: this.signer!.peer, sig: this.signer!.sign(meta.hash) };
      }),
    );
  }

  /** A document that cannot be read back: registered (so it is listed, re-fetched and erasable) and refused with DOCUMENT_DAMAGED. */
  private async damagedRead(key: string, err: unknown): Promise<never> {
    const slash = key.indexOf('/');
    const reason = `unreadable: ${(err as Error).message.slice(0, 200)}`;
    if (!this.damaged.has(key)) {
      await this.registerDamage({ collection: key.slice(0, slash) as Collection, id: key.slice(slash + 1), reason, at: new Date().toISOString() }, false).catch(() => undefined);
    }
    throw new MeshError('DOCUMENT_DAMAGED', `${key} is damaged on this host (${reason}); it is re-fetched from a peer that has it, or can be erased`, { id: key.slice(slash + 1) });
  }

  /**
   * getMany that survives damage: a batch that fails is read key by key, and a key that cannot be
   * read counts as absent (so erasing or replacing a damaged document still works).
   */
  private async getManySafe(sub: Sub, keys: string[]): Promise<(Uint8Array | undefined)[]> {
    try {
      return await sub.getMany(keys);
    } catch {
      return Promise.all(keys.map((k) => sub.get(k).catch(() => undefined)));
    }
  }

  private assertOpen(): void {
    if (this.status !== 'open') throw new MeshError('SHUTTING_DOWN', 'the store is closed');
  }

  /** Queues unconditional writes: they always apply, so the result is always a sequence number. */
  private async write(ops: WriteOp[]): Promise<number> {
    return (await this.enqueue(ops)) ?? this.seq;
  }

  private enqueue(ops: WriteOp[]): Promise<number | undefined> {
    return new Promise<number | undefined>((resolve, reject) => {
      this.pending.push({ ops, resolve, reject });
      if (!this.flushing) this.flushing = this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        const batch = this.db.batch();
        let seq = this.seq;
        const seqs: (number | undefined)[] = [];
        const events: CommitEvent[] = [];
        // Each document has one feed entry, at the seq of its newest write: move it. The entries
        // are also what conditional writes are checked against (see WriteOp).
        const keys = [...new Set(group.flatMap((w) => w.ops.map((op) => docKey(op.collection, op.id))))];
        const state = new Map<string, FeedKey>();
        const healed = new Set<string>();
        (await this.getManySafe(this.feedKeys, keys)).forEach((bytes, i) => {
          const feed = bytes ? (parses(bytes) as FeedKey | undefined) : undefined;
          if (feed) state.set(keys[i]!, feed);
        });
        // Appends need the stored bytes they extend (puts earlier in this batch replace them);
        // imports also check the document and tombstone keys themselves, not only the feed.
        // Signature records of writes that add changes to a stored document extend the stored ones.
        const sigKeys = [...new Set(group.flatMap((w) => w.ops.filter((op) => (op.kind === 'put' || op.kind === 'append') && op.sigs?.byteLength).map((op) => docKey(op.collection, op.id))))];
        const storedSigs = new Map<string, Uint8Array | undefined>();
        if (sigKeys.length) (await this.sigs.getMany(sigKeys)).forEach((bytes, i) => storedSigs.set(sigKeys[i]!, bytes));
        const condKeys = [...new Set(group.flatMap((w) => w.ops.filter((op) => op.kind === 'append' || op.kind === 'import').map((op) => docKey(op.collection, op.id))))];
        const stored = new Map<string, Uint8Array | undefined>();
        const erased = new Set<string>();
        if (condKeys.length) {
          const [docs, tombs] = await Promise.all([this.getManySafe(this.docs, condKeys), this.getManySafe(this.tombs, condKeys)]);
          condKeys.forEach((k, i) => {
            stored.set(k, docs[i]);
            if (tombs[i]) erased.add(k);
          });
        }
        for (const write of group) {
          let applied: number | undefined;
          for (const op of write.ops) {
            const key = docKey(op.collection, op.id);
            const old = state.get(key);
            let bytes: Uint8Array | undefined;
            if (op.kind === 'put') bytes = op.bytes;
            else if (op.kind === 'import') bytes = old || stored.get(key) || erased.has(key) ? undefined : op.bytes;
            else if (op.kind === 'append') {
              const base = stored.get(key);
              bytes = base && old?.heads && sameHeads(old.heads, op.base) ? concat(base, op.changes) : undefined;
            }
            if (op.kind !== 'erase' && bytes === undefined) continue; // a refused conditional write
            seq++;
            applied = seq;
            if (old !== undefined) batch.del(logKey(old.seq), { sublevel: this.feed });
            // A new version, an import from a peer, or an erasure heals a damaged document.
            if (this.damaged.has(key)) {
              batch.del(DAMAGED_PREFIX + key, { sublevel: this.local });
              healed.add(key);
            }
            if (op.kind !== 'erase') {
              const { changes, base } = op;
              state.set(key, { seq, heads: op.heads });
              stored.set(key, bytes);
              batch.put(key, bytes!, { sublevel: this.docs });
              batch.put(key, encodeJson(op.view), { sublevel: this.views });
              if (op.sigs?.byteLength) {
                const sigs = op.kind === 'import' ? op.sigs : mergeRecords(storedSigs.get(key), op.sigs)!;
                storedSigs.set(key, sigs);
                batch.put(key, sigs, { sublevel: this.sigs });
              }
              batch.put(logKey(seq), encodeJson({ collection: op.collection, id: op.id, op: 'put' }), { sublevel: this.log });
              const from = op.origin && op.originEpoch ? { from: { peer: op.origin, epoch: op.originEpoch } } : {};
              batch.put(logKey(seq), encodeJson({ collection: op.collection, id: op.id, scope: op.scope, heads: op.heads, ...from }), { sublevel: this.feed });
              batch.put(key, encodeJson({ seq, heads: op.heads } satisfies FeedKey), { sublevel: this.feedKeys });
              events.push({ seq, collection: op.collection, id: op.id, scope: op.scope, heads: op.heads, view: op.view, ...(changes && base ? { changes, base } : {}), ...(op.origin ? { origin: op.origin } : {}), ...(op.sigs ? { sigs: op.sigs } : {}) });
            } else {
              state.set(key, { seq, heads: null });
              stored.set(key, undefined);
              erased.add(key);
              batch.del(key, { sublevel: this.docs });
              batch.del(key, { sublevel: this.views });
              batch.del(key, { sublevel: this.sigs });
              storedSigs.delete(key);
              batch.put(key, encodeJson(op.tombstone), { sublevel: this.tombs });
              batch.put(logKey(seq), encodeJson({ collection: op.collection, id: op.id, op: 'erase' }), { sublevel: this.log });
              batch.put(logKey(seq), encodeJson({ collection: op.collection, id: op.id, scope: op.scope, heads: null, tomb: op.tombstone }), { sublevel: this.feed });
              batch.put(key, encodeJson({ seq, heads: null } satisfies FeedKey), { sublevel: this.feedKeys });
              events.push({ seq, collection: op.collection, id: op.id, scope: op.scope, heads: [], tomb: op.tombstone, ...(op.origin ? { origin: op.origin } : {}) });
            }
          }
          seqs.push(applied);
        }
        if (seq === this.seq) {
          // Every write of the group was a refused conditional one: nothing to make durable.
          group.forEach((write) => write.resolve(undefined));
          continue;
        }
        batch.put('seq', encodeJson(seq), { sublevel: this.meta });
        try {
          await batch.write({ sync: true });
        } catch (err) {
          this.logger.error({ err }, 'store write failed');
          // A compaction that met a damaged block makes every later write fail: repair, then retry once.
          if ((err as { code?: string }).code === 'LEVEL_CORRUPTION' && !group.some((w) => w.retried)) {
            await this.repair((err as Error).message).catch((e: unknown) => this.logger.error({ err: e }, 'store repair failed'));
            for (const write of group) write.retried = true;
            this.pending.unshift(...group);
            continue;
          }
          for (const write of group) write.reject(err);
          continue;
        }
        this.seq = seq;
        for (const key of healed) this.damaged.delete(key);
        group.forEach((write, i) => write.resolve(seqs[i]));
        for (const listener of this.batchListeners) {
          try {
            listener(events);
          } catch (err) {
            this.logger.error({ err }, 'commit listener failed');
          }
        }
        for (const event of events) {
          for (const listener of this.listeners) {
            try {
              listener(event);
            } catch (err) {
              this.logger.error({ err }, 'commit listener failed');
            }
          }
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((h) => b.includes(h));
}

function concat(head: Uint8Array, tail: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(tail.reduce((n, c) => n + c.byteLength, head.byteLength));
  out.set(head);
  let at = head.byteLength;
  for (const c of tail) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

function decodeJson(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes));
}

/** The JSON a record holds, or undefined when it is not JSON (a damaged record). */
function parses(bytes: Uint8Array): unknown {
  try {
    return decodeJson(bytes);
  } catch {
    return undefined;
  }
}

function loads(bytes: Uint8Array): boolean {
  try {
    A.load(bytes);
    return true;
  } catch {
    return false;
  }
}
