import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Memory } from '../domain/Memory.js';
import type { Logger } from '../log.js';
import type { DocStore } from '../store/DocStore.js';
import type { CommitEvent } from '../store/types.js';
import { ftsMatchWords, ftsText } from './ftsQuery.js';
import { moveAside } from './moveAside.js';
import { RARE_TAG_ROWS } from './constants.js';
import { isSqliteCorruption } from './sqliteCorruption.js';
import { queryWordsOf } from './tokenize.js';
import { quickCheckInWorker } from './sqliteQuickCheck.js';

/** Bumped whenever the schema or the tokeniser changes; a mismatch triggers a rebuild. */
const INDEX_VERSION = '3';
const FILE = 'memories.sqlite';

export interface CatalogFilter {
  category?: string | undefined;
  project?: string | undefined;
  machine?: string | undefined;
  agent?: string | undefined;
  tags?: string[] | undefined;
  since?: number | undefined;
  until?: number | undefined;
  includeDeleted?: boolean | undefined;
  onlyDeleted?: boolean | undefined;
}

export interface KeywordHit {
  id: string;
  score: number;
}

/** Whether the index can be trusted: `rebuilding` after damage serves keyword-less results meanwhile. */
export interface IndexHealth {
  state: 'ok' | 'rebuilding' | 'failed';
  detail: string;
}

export interface CountRow {
  name: string;
  count: number;
  last: number;
}

/** BM25 column weights: content, context, tags, project. Tags and project are short and deliberate. */
const BM25 = 'bm25(memory_fts, 1.0, 0.7, 2.0, 1.5)';

/**
 * Query terms found in more than this share of memories, and in more than COMMON_TERM_MIN_DOCS,
 * carry almost no BM25 weight but cost a score per matching row (an "on" or "the" touches every
 * memory): they are dropped while a rarer term remains. Small stores keep every term, where the
 * cost is nothing and the words still help ranking.
 */
const COMMON_TERM_SHARE = 0.2;
const COMMON_TERM_MIN_DOCS = 5_000;
/**
 * Prefix expansion helps a rare or absent word find its forms ("restart" → "restarted"); for a
 * word already in this many memories it adds little and costs a merge of every expanded doclist.
 */
const PREFIX_MAX_DOCS = 1_000;
/**
 * Above this many estimated matches, only the newest matches are ranked (rowid order is insertion
 * order): bounded work per query, with a recency bias that suits working memory. If filters then
 * leave too few results, the query is rerun unbounded.
 */
const RANKED_MATCH_CAP = 2_000;
/**
 * FTS5 tokenizer of the keyword index: our tokens (see tokenize.ts) kept whole by `tokenchars`,
 * then Porter-stemmed so word forms meet ("reports" / "reporting").
 */
const FTS_TOKENIZER = "porter unicode61 remove_diacritics 0 tokenchars '_-.:/@#'";
/** Entries kept by each lookup cache (query token → index terms, term → count); queries repeat words, so this is plenty. */
const STEM_CACHE_MAX = 10_000;

/**
 * The derived indexes of the memories collection, in SQLite (better-sqlite3): a catalog table for
 * filters, listings and counts, and an FTS5 table for BM25 keyword search. It is persisted as it
 * goes, so start-up opens a file instead of loading an index into memory; it records the store
 * sequence it reflects, so after a crash it catches up from the store's log; deleting it and
 * restarting rebuilds it from the stored views with the same answers.
 */
export class MemoryIndex {
  private db!: Database.Database;
  private appliedSeq = 0;
  private checkpointedSeq = 0;
  private stmts!: ReturnType<MemoryIndex['prepare']>;
  /** Query token → the index terms FTS5 makes of it (see indexTermsOf). */
  private readonly stemCache = new Map<string, string[]>();
  /**
   * Index term → memories holding it. fts5vocab counts by walking the term's whole doclist (a
   * common term at 100k memories: ~1 ms), so counts are remembered until the next write, which
   * clears them: always exact, so the query plan never depends on what was asked before.
   */
  private readonly dfCache = new Map<string, number>();
  /** A rebuild after damage, running in the background: keyword queries answer nothing until it ends. */
  private recovering: Promise<void> | undefined;
  /**
   * While a rebuild runs: the memories the commit listener wrote since it began. Every commit
   * passes the listener, so its row is the newest; a view the rebuild itself read (its scan, its
   * replay of the log) can only be as old or older, and never replaces it (the issue 18 pattern).
   */
  private rebuildTouched: Set<string> | undefined;
  /** The last damage found (moved aside and rebuilt), for `mesh doctor` and `mesh status`. */
  private damage: { reason: string; at: string } | undefined;
  private recoveryError: string | undefined;

  constructor(
    private readonly store: DocStore,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  get seq(): number {
    return this.appliedSeq;
  }

  get dirty(): boolean {
    return this.appliedSeq !== this.checkpointedSeq;
  }

  get path(): string {
    return join(this.dir, FILE);
  }

  /**
   * Opens (or rebuilds) the index, replays what the store committed after it, and from then on
   * follows every durable commit, local or replicated. Commit listeners run before the writer's
   * promise resolves, so a tool that stored a memory can search for it at once.
   */
  async open(): Promise<{ rebuilt: boolean; replayed: number }> {
    const result = await this.openAndCatchUp();
    // One transaction per group commit: a transaction per memory (and with it an FTS5 segment
    // per memory, merged again later) made the index the largest cost of an initial sync.
    this.store.onCommits((events) => this.applyCommits(events));
    return result;
  }

  /** Applies a group commit's writes of memories in one transaction (called by the store for every batch). */
  applyCommits(events: readonly CommitEvent[]): void {
    const mine = events.filter((e) => e.collection === 'memories');
    if (mine.length === 0) return;
    // A write that meets damage is not lost: it is in the store, which the recovery rebuilds from.
    this.guarded(undefined, () => {
      this.db.transaction(() => {
        for (const e of mine) {
          if (e.tomb || !e.view) this.removeRow(e.id);
          else this.applyRow(e.view as Memory);
        }
        this.bumpSeq(mine.reduce((m, e) => Math.max(m, e.seq), 0));
      })();
      // Only once the rows are in: a commit that did not apply (the file closed under a rebuild) is left to the rebuild's scan.
      for (const e of mine) this.rebuildTouched?.add(e.id);
    });
  }

  private async openAndCatchUp(): Promise<{ rebuilt: boolean; replayed: number }> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // A damaged file (truncated, flipped bytes) must not stop the daemon: the index is derived.
    const damage = this.openChecked();
    if (damage) {
      await this.moveAsideDamaged(damage);
      await this.rebuild();
      return { rebuilt: true, replayed: 0 };
    }
    const version = this.meta('version');
    const seq = Number(this.meta('seq') ?? -1);
    if (version !== INDEX_VERSION || seq < 0 || seq > this.store.lastSeq || seq < this.store.logTrimmedTo) {
      if (version !== undefined) this.logger.warn({ version, seq, storeSeq: this.store.lastSeq }, 'index does not match the store; rebuilding');
      await this.rebuild();
      return { rebuilt: true, replayed: 0 };
    }
    this.appliedSeq = seq;
    this.checkpointedSeq = seq;
    let replayed = 0;
    const replay = this.db.transaction((entries: { id: string; view: Memory | undefined; seq: number }[]) => {
      for (const e of entries) {
        if (e.view) this.applyRow(e.view);
        else this.removeRow(e.id);
        this.appliedSeq = e.seq;
      }
      this.setMeta('seq', String(this.appliedSeq));
    });
    let pending: { id: string; view: Memory | undefined; seq: number }[] = [];
    for await (const entry of this.store.changesSince(seq)) {
      if (entry.collection !== 'memories') continue;
      pending.push({ id: entry.id, seq: entry.seq, view: entry.op === 'erase' ? undefined : await this.store.view<Memory>('memories', entry.id) });
      replayed++;
      if (pending.length >= 1000) {
        replay(pending);
        pending = [];
      }
    }
    replay(pending);
    this.appliedSeq = Math.max(this.appliedSeq, this.store.lastSeq);
    return { rebuilt: false, replayed };
  }

  /**
   * Opens the file (a truncated or garbled header fails here). Returns why the file cannot be
   * trusted, or undefined. The full structural check runs after start (`checkInBackground`).
   */
  private openChecked(): string | undefined {
    try {
      this.openDb();
      this.meta('version');
      return undefined;
    } catch (err) {
      if (!isSqliteCorruption(err)) throw err;
      return (err as Error).message;
    }
  }

  /**
   * SQLite's structural check of the whole file (every page of every b-tree), on a worker thread
   * after the daemon serves: it costs ~2.5 s at 100k memories (BENCHMARKS.md, #10), too much for
   * the start path and the event loop. Damage found starts the same recovery as damage met by a
   * query. Damage inside FTS5's own records passes this check and is met by queries instead.
   */
  async checkInBackground(): Promise<'ok' | 'damaged' | 'skipped'> {
    if (this.recovering) return 'skipped';
    const result = await quickCheckInWorker(this.path);
    if (result.ok) return 'ok';
    if (result.code === undefined || !isSqliteCorruption({ code: result.code })) {
      this.logger.warn({ reason: result.reason }, 'could not check the keyword index');
      return 'skipped';
    }
    this.recover(Object.assign(new Error(result.reason), { code: result.code }));
    return 'damaged';
  }

  /** Closes the damaged file and renames it (and its WAL) aside; the caller rebuilds. */
  private async moveAsideDamaged(reason: string): Promise<void> {
    this.damage = { reason, at: new Date().toISOString() };
    this.logger.error({ reason, path: this.path }, 'the keyword index is damaged: moved aside, rebuilding it from the store');
    try {
      if (this.db?.open) this.db.close();
    } catch {
      // A damaged file may fail to close cleanly; it is moved aside either way.
    }
    await moveAside(this.path);
    for (const suffix of ['-wal', '-shm']) await rm(this.path + suffix, { force: true });
  }

  /**
   * Damage found while running (SQLITE_CORRUPT from a query or a write): move the file aside and
   * rebuild in the background; meanwhile keyword queries answer nothing and listings come from
   * the rebuilding index. Every store write is in the store, so the rebuild loses nothing.
   */
  private recover(err: unknown): void {
    if (!isSqliteCorruption(err)) throw err;
    if (this.recovering) return;
    this.recovering = (async () => {
      await this.moveAsideDamaged((err as Error).message);
      await this.rebuild();
      this.recoveryError = undefined;
    })()
      .catch((e: unknown) => {
        this.recoveryError = (e as Error).message;
        this.logger.error({ err: this.recoveryError }, 'rebuilding the damaged keyword index failed; `mesh reindex` retries');
      })
      .finally(() => (this.recovering = undefined));
  }

  /** Runs a read; damage starts a recovery and answers `fallback` instead of failing the caller. */
  private guarded<T>(fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      this.recover(err);
      return fallback;
    }
  }

  /** Resolves when no recovery runs (before closing, and for callers that want complete answers). */
  async recovered(): Promise<void> {
    await this.recovering;
  }

  /** True while a damaged index is rebuilt: keyword search answers nothing meanwhile. */
  get rebuilding(): boolean {
    return this.recovering !== undefined;
  }

  health(): IndexHealth {
    const damage = this.damage ? `; damaged at ${this.damage.at} (${this.damage.reason}), moved aside` : '';
    if (this.recovering) return { state: 'rebuilding', detail: `rebuilding from the store${damage}; keyword search answers nothing until it ends` };
    if (this.recoveryError) return { state: 'failed', detail: `rebuild failed: ${this.recoveryError}${damage}; run \`mesh reindex\`` };
    try {
      const n = (this.stmts.total.get() as { n: number }).n;
      this.db.prepare("SELECT rowid FROM memory_fts WHERE memory_fts MATCH 'doctor' LIMIT 1").all();
      return { state: 'ok', detail: `${n} memories indexed, at store seq ${this.appliedSeq} of ${this.store.lastSeq}${damage ? `; rebuilt${damage}` : ''}` };
    } catch (err) {
      this.recover(err);
      return { state: 'rebuilding', detail: `${this.path}: ${(err as Error).message}; moved aside, rebuilding` };
    }
  }

  /** Rebuilds from the stored views in large transactions, reporting progress. */
  async rebuild(onProgress?: (done: number) => void): Promise<number> {
    const touched = new Set<string>();
    this.rebuildTouched = touched;
    try {
      return await this.rebuildFrom(touched, onProgress);
    } finally {
      if (this.rebuildTouched === touched) this.rebuildTouched = undefined;
    }
  }

  private async rebuildFrom(touched: ReadonlySet<string>, onProgress?: (done: number) => void): Promise<number> {
    this.db?.close();
    await this.deleteFiles();
    this.openDb();
    const seq = this.store.lastSeq;
    // A memory committed since the rebuild began has its newest row from the commit listener already.
    const insert = this.db.transaction((batch: Memory[]) => {
      for (const m of batch) if (!touched.has(m.id)) this.applyRow(m);
    });
    let batch: Memory[] = [];
    let n = 0;
    for await (const [, memory] of this.store.scanViews<Memory>('memories')) {
      batch.push(memory);
      if (batch.length >= 2000) {
        insert(batch);
        n += batch.length;
        batch = [];
        onProgress?.(n);
      }
    }
    insert(batch);
    n += batch.length;
    // Writes committed during the scan: the commit listener applied them (and the scan left those
    // rows alone). The log after `seq` is replayed only for a write the listener could not apply;
    // its view is read with awaits, during which a newer commit of the same memory can land and be
    // applied, so a memory the listener wrote is never replayed over (it was: mesh reindex under
    // writes kept an older text in the keyword index until the memory's next write).
    const replay = this.db.transaction((entries: { id: string; view: Memory | undefined }[]) => {
      for (const e of entries) {
        if (touched.has(e.id)) continue;
        if (e.view) this.applyRow(e.view);
        else this.removeRow(e.id);
      }
    });
    const since: { id: string; view: Memory | undefined }[] = [];
    for await (const entry of this.store.changesSince(seq)) {
      if (entry.collection === 'memories') since.push({ id: entry.id, view: entry.op === 'erase' ? undefined : await this.store.view<Memory>('memories', entry.id) });
    }
    replay(since);
    onProgress?.(n);
    this.setMeta('version', INDEX_VERSION);
    this.setMeta('seq', String(seq));
    this.appliedSeq = seq;
    this.checkpointNow(false);
    return n;
  }

  keywordSearch(query: string, filter: CatalogFilter, limit: number): KeywordHit[] {
    if (this.recovering) return [];
    return this.guarded([], () => this.keywordSearchNow(query, filter, limit));
  }

  private keywordSearchNow(query: string, filter: CatalogFilter, limit: number): KeywordHit[] {
    // Words, not loose tokens: a hit must hold a whole query word (all parts of a code-like one).
    const words = queryWordsOf(query);
    if (words.length === 0) return [];
    const common = Math.max(COMMON_TERM_MIN_DOCS, this.totalDocs() * COMMON_TERM_SHARE);
    const df = new Map(words.map((w) => [w.whole, this.docFrequency(w.whole)]));
    const rarest = [...words].sort((a, b) => df.get(a.whole)! - df.get(b.whole)!);
    let kept = words.filter((w) => df.get(w.whole)! <= common);
    if (kept.length === 0) kept = rarest.slice(0, 1);
    const match = ftsMatchWords(kept, (w) => df.get(w)! <= PREFIX_MAX_DOCS);
    if (!match) return [];
    const estimate = kept.reduce((n, w) => n + df.get(w.whole)!, 0);
    const floor = estimate > RANKED_MATCH_CAP ? this.newestMatchFloor(match) : undefined;
    const hits = this.rank(match, filter, limit, floor);
    return hits.length < limit && floor !== undefined ? this.rank(match, filter, limit, undefined) : hits;
  }

  /**
   * BM25 search for any of several phrases (each a list of words, matched adjacent), e.g. the
   * terms a thesaurus adds to a query. Phrases held by more than the common-term share of the
   * memories are dropped, as in keywordSearch, so a broad synonym cannot flood the list.
   */
  phraseSearch(phrases: readonly (readonly string[])[], filter: CatalogFilter, limit: number): KeywordHit[] {
    if (this.recovering) return [];
    return this.guarded([], () => this.phraseSearchNow(phrases, filter, limit));
  }

  private phraseSearchNow(phrases: readonly (readonly string[])[], filter: CatalogFilter, limit: number): KeywordHit[] {
    const common = Math.max(COMMON_TERM_MIN_DOCS, this.totalDocs() * COMMON_TERM_SHARE);
    // A phrase is held by no more memories than its rarest word.
    const kept = phrases.filter((p) => p.length > 0).map((p) => ({ p, df: Math.min(...p.map((w) => this.docFrequency(w))) })).filter((x) => x.df <= common);
    if (kept.length === 0) return [];
    const match = kept.map(({ p }) => `"${p.join(' ').replace(/"/g, '""')}"`).join(' OR ');
    const estimate = kept.reduce((n, x) => n + x.df, 0);
    const floor = estimate > RANKED_MATCH_CAP ? this.newestMatchFloor(match) : undefined;
    const hits = this.rank(match, filter, limit, floor);
    return hits.length < limit && floor !== undefined ? this.rank(match, filter, limit, undefined) : hits;
  }

  /** The keyword index's stem of one word ("brokers" → "broker"); the word itself if it has none. */
  stem(word: string): string {
    return this.guarded(word, () => this.indexTermsOf(word)[0] ?? word);
  }

  /**
   * The stems of many words in one probe of the tokenizer (one transaction, one vocabulary read):
   * the thesaurus stems its ~2,300 words at the first search after a start, which word by word
   * took most of that search's time (issue 11, third session).
   */
  stemMany(words: readonly string[]): string[] {
    return this.guarded([...words], () => {
      const unique = [...new Set(words)];
      const terms = unique.map((): string[] => []);
      this.db.transaction(() => {
        unique.forEach((word, i) => this.stmts.probeInsert.run(i, word));
        // Terms come in term order, as for one word (`stem` takes the first).
        for (const row of this.stmts.probeTermsByWord.all() as { term: string; doc: number }[]) terms[row.doc]!.push(row.term);
        this.stmts.probeClear.run();
      })();
      const stems = new Map(unique.map((word, i) => [word, terms[i]![0] ?? word]));
      return words.map((word) => stems.get(word) ?? word);
    });
  }

  private rank(match: string, filter: CatalogFilter, limit: number, floor: number | undefined): KeywordHit[] {
    const { sql, params } = whereOf(filter, 'm');
    const bound = floor === undefined ? '' : 'AND memory_fts.rowid >= ?';
    const rows = this.db.prepare(
      `SELECT m.id AS id, ${BM25} AS rank FROM memory_fts JOIN memories m ON m.rowid = memory_fts.rowid WHERE memory_fts MATCH ? ${bound} ${sql ? `AND ${sql}` : ''} ORDER BY rank, m.id LIMIT ?`,
    ).all(match, ...(floor === undefined ? [] : [floor]), ...params, limit) as { id: string; rank: number }[];
    return rows.map((r) => ({ id: r.id, score: -r.rank }));
  }

  /** The rowid of the RANKED_MATCH_CAP-th newest match: walking a doclist in rowid order costs no scoring. */
  private newestMatchFloor(match: string): number | undefined {
    const row = this.stmts.newestFloor.get(match, RANKED_MATCH_CAP - 1) as { rowid: number } | undefined;
    return row?.rowid;
  }

  /**
   * Memories holding a query token, estimated from the index terms it becomes: its stem, or for a
   * token FTS5 splits further, the rarest of its parts (a phrase is no more common than that).
   */
  private docFrequency(token: string): number {
    const terms = this.indexTermsOf(token);
    if (terms.length === 0) return 0;
    return Math.min(...terms.map((t) => this.termDocs(t)));
  }

  private termDocs(term: string): number {
    let df = this.dfCache.get(term);
    if (df === undefined) {
      df = (this.stmts.vocab.get(term) as { doc: number } | undefined)?.doc ?? 0;
      if (this.dfCache.size >= STEM_CACHE_MAX) this.dfCache.clear();
      this.dfCache.set(term, df);
    }
    return df;
  }

  /** The index terms FTS5 makes of each token (cached): tokenised by the scratch table, then cleared. */
  private indexTermsOf(token: string): string[] {
    let terms = this.stemCache.get(token);
    if (terms) return terms;
    terms = this.db.transaction(() => {
      this.stmts.probeInsert.run(0, token);
      const rows = this.stmts.probeTerms.all() as { term: string }[];
      this.stmts.probeClear.run();
      return rows.map((r) => r.term);
    })();
    if (this.stemCache.size >= STEM_CACHE_MAX) this.stemCache.clear();
    this.stemCache.set(token, terms);
    return terms;
  }

  private totalDocs(): number {
    return (this.stmts.total.get() as { n: number }).n;
  }

  /** Ids passing the filter in id order, after `after` (exclusive): stable pages for an export. */
  idsAfter(after: string | undefined, filter: CatalogFilter, limit: number): string[] {
    return this.guarded([], () => this.idsAfterNow(after, filter, limit));
  }

  private idsAfterNow(after: string | undefined, filter: CatalogFilter, limit: number): string[] {
    const { sql, params } = whereOf(filter, 'm');
    const conds = [...(after === undefined ? [] : ['m.id > ?']), ...(sql ? [sql] : [])];
    const rows = this.db.prepare(`SELECT id FROM memories m ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY id LIMIT ?`).all(...(after === undefined ? [] : [after]), ...params, limit) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Ids passing the filter, most recently updated first (ties by id, so order is stable). */
  list(filter: CatalogFilter, limit: number): string[] {
    return this.guarded([], () => {
      const { sql, params } = whereOf(filter, 'm', filter.tags?.some((tag) => this.rareTag(tag)) ?? false);
      return (this.db.prepare(`SELECT id FROM memories m ${sql ? `WHERE ${sql}` : ''} ORDER BY updated DESC, id LIMIT ?`).all(...params, limit) as { id: string }[]).map((r) => r.id);
    });
  }

  /**
   * Whether at most RARE_TAG_ROWS memories carry `tag`. Filtered by a tag and ordered by update,
   * SQLite walks the update index over every live memory to find a rare tag's few (~30 ms at 100k:
   * the session-start briefing's broadcasts, issue 14); a rare tag's own rows are read instead. A
   * frequent tag keeps the ordered walk, which stops at the limit.
   */
  private rareTag(tag: string): boolean {
    const { n } = this.db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM memory_tags WHERE tag = ? LIMIT ?)').get(tag, RARE_TAG_ROWS + 1) as { n: number };
    return n <= RARE_TAG_ROWS;
  }

  count(filter: CatalogFilter): number {
    const { sql, params } = whereOf(filter, 'm');
    return this.guarded(0, () => (this.db.prepare(`SELECT count(*) AS n FROM memories m ${sql ? `WHERE ${sql}` : ''}`).get(...params) as { n: number }).n);
  }

  /** Live (not deleted) memories grouped by a catalog column, with the latest update. */
  groupBy(column: 'category' | 'machine' | 'project' | 'agent', filter: CatalogFilter = {}): CountRow[] {
    const { sql, params } = whereOf(filter, 'm');
    return this.guarded([], () => this.db.prepare(
      `SELECT ${column} AS name, count(*) AS count, max(updated) AS last FROM memories m ${sql ? `WHERE ${sql}` : ''} GROUP BY ${column} ORDER BY count DESC, name`,
    ).all(...params) as CountRow[]);
  }

  /** Soft-deleted memories whose deletion is older than `cutoff`. */
  deletedBefore(cutoff: number): string[] {
    return this.guarded([], () => (this.stmts.deletedBefore.all(cutoff) as { id: string }[]).map((r) => r.id));
  }

  /**
   * Makes the index file self-contained (WAL folded in and truncated); the daemon then lets the
   * store drop log entries every index has. After an erasure this removes the erased text from disk.
   */
  async checkpoint(opts: { erasure?: boolean } = {}): Promise<void> {
    // During a recovery the file is written afresh by the rebuild, which checkpoints at its end.
    if (this.recovering) return await this.recovering;
    this.guarded(undefined, () => this.checkpointNow(opts.erasure === true));
    await Promise.resolve();
  }

  private checkpointNow(erasure: boolean): void {
    const seq = this.appliedSeq;
    // Deleted rows' postings stay in older segments until a merge (FTS5 secure-delete is off, see
    // openDb); optimize rewrites the index into a single segment without them.
    if (erasure) this.db.prepare(`INSERT INTO memory_fts (memory_fts) VALUES ('optimize')`).run();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.checkpointedSeq = seq;
  }

  /** The store sequence this index has durably caught up to (the log may be trimmed up to it). */
  get durableSeq(): number {
    return this.checkpointedSeq;
  }

  /** The ids among `ids` that pass the filter, in the given order. */
  filterIds(ids: readonly string[], filter: CatalogFilter): string[] {
    if (ids.length === 0) return [];
    return this.guarded([], () => this.filterIdsNow(ids, filter));
  }

  private filterIdsNow(ids: readonly string[], filter: CatalogFilter): string[] {
    const { sql, params } = whereOf(filter, 'm');
    // CROSS JOIN makes SQLite look each id up by its unique index instead of scanning by a filter column.
    const rows = this.db.prepare(`SELECT m.id AS id FROM json_each(?) j CROSS JOIN memories m ON m.id = j.value ${sql ? `WHERE ${sql}` : ''}`).all(
      JSON.stringify(ids),
      ...params,
    ) as { id: string }[];
    const pass = new Set(rows.map((r) => r.id));
    return ids.filter((id) => pass.has(id));
  }

  close(): void {
    if (this.db?.open) {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        // Damage found while closing is found again (and repaired) by the next start's check.
        if (!isSqliteCorruption(err)) throw err;
      }
      this.db.close();
    }
  }

  async deleteFiles(): Promise<void> {
    for (const suffix of ['', '-wal', '-shm']) await rm(join(this.dir, FILE + suffix), { force: true });
  }

  private openDb(): void {
    this.db = new Database(join(this.dir, FILE));
    // WAL without fsync per commit: the index is derived, and the store's log replays anything a crash loses.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Freed pages are zeroed, so erased text does not linger in the file.
    this.db.pragma('secure_delete = ON');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS memories (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        category TEXT NOT NULL, project TEXT NOT NULL, machine TEXT NOT NULL, agent TEXT NOT NULL, scope TEXT NOT NULL,
        created INTEGER NOT NULL, updated INTEGER NOT NULL, deleted INTEGER NOT NULL, deleted_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS memories_updated ON memories (deleted, updated);
      CREATE INDEX IF NOT EXISTS memories_category ON memories (category, updated);
      CREATE INDEX IF NOT EXISTS memories_project ON memories (project, updated);
      CREATE INDEX IF NOT EXISTS memories_machine ON memories (machine, updated);
      CREATE TABLE IF NOT EXISTS memory_tags (tag TEXT NOT NULL, rowid INTEGER NOT NULL, PRIMARY KEY (tag, rowid)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS memory_tags_row ON memory_tags (rowid);
      CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5(
        content, context, tags, project,
        tokenize = "${FTS_TOKENIZER}"
      );
      CREATE VIRTUAL TABLE IF NOT EXISTS memory_vocab USING fts5vocab(memory_fts, 'row');
    `);
    // The FTS table keeps its own copy of the indexed text: a contentless one (content='',
    // contentless_delete=1; index version 2) never lowers its row count on delete, so after edits
    // BM25 drifted from what a rebuilt index scores (measured: 1.154 vs 0.347 for the same query
    // after 3 edits of 6 memories), breaking "deleting the indexes gives the same answers".
    // FTS5 secure-delete stays off: on a table with content it rewrites every term's doclist pages
    // at each delete (1,000 edits at 100k: 0.9–1.3 s against 0.12–0.16 s without). A deleted row's
    // old postings wait for the next segment merge; an erasure's checkpoint runs 'optimize', which
    // drops them from the file before the hard delete returns.
    this.db.prepare(`INSERT INTO memory_fts (memory_fts, rank) VALUES ('secure-delete', 0)`).run();
    // A scratch table with the same tokenizer tells which index terms a query token becomes (its
    // stem), so document frequencies are looked up for the terms FTS5 really stored. TEMP: per
    // connection, never on disk.
    this.db.exec(`
      CREATE VIRTUAL TABLE temp.stem_probe USING fts5(t, tokenize = "${FTS_TOKENIZER}", detail = none);
      CREATE VIRTUAL TABLE temp.stem_probe_vocab USING fts5vocab('temp', 'stem_probe', 'instance');
    `);
    this.stemCache.clear();
    this.dfCache.clear();
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      rowOf: db.prepare('SELECT rowid FROM memories WHERE id = ?'),
      insert: db.prepare(
        'INSERT INTO memories (id, category, project, machine, agent, scope, created, updated, deleted, deleted_at) VALUES (@id, @category, @project, @machine, @agent, @scope, @created, @updated, @deleted, @deleted_at)',
      ),
      update: db.prepare(
        'UPDATE memories SET category = @category, project = @project, machine = @machine, agent = @agent, scope = @scope, created = @created, updated = @updated, deleted = @deleted, deleted_at = @deleted_at WHERE rowid = @rowid',
      ),
      deleteRow: db.prepare('DELETE FROM memories WHERE rowid = ?'),
      deleteTags: db.prepare('DELETE FROM memory_tags WHERE rowid = ?'),
      insertTag: db.prepare('INSERT OR IGNORE INTO memory_tags (tag, rowid) VALUES (?, ?)'),
      deleteFts: db.prepare('DELETE FROM memory_fts WHERE rowid = ?'),
      insertFts: db.prepare('INSERT INTO memory_fts (rowid, content, context, tags, project) VALUES (?, ?, ?, ?, ?)'),
      deletedBefore: db.prepare('SELECT id FROM memories WHERE deleted = 1 AND deleted_at < ? ORDER BY deleted_at'),
      vocab: db.prepare('SELECT doc FROM memory_vocab WHERE term = ?'),
      total: db.prepare('SELECT count(*) AS n FROM memories'),
      newestFloor: db.prepare('SELECT rowid FROM memory_fts WHERE memory_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?'),
      probeInsert: db.prepare('INSERT INTO temp.stem_probe (rowid, t) VALUES (?, ?)'),
      probeTerms: db.prepare('SELECT term FROM temp.stem_probe_vocab'),
      probeTermsByWord: db.prepare('SELECT term, doc FROM temp.stem_probe_vocab'),
      probeClear: db.prepare('DELETE FROM temp.stem_probe'),
    };
  }

  private applyRow(m: Memory): void {
    this.dfCache.clear();
    const row = {
      id: m.id,
      category: m.category,
      project: m.project,
      machine: m.machine,
      agent: m.agent,
      scope: m.scope,
      created: Date.parse(m.created_at),
      updated: Date.parse(m.updated_at),
      deleted: m.deleted ? 1 : 0,
      deleted_at: m.deleted_at === null ? null : Date.parse(m.deleted_at),
    };
    const existing = this.stmts.rowOf.get(m.id) as { rowid: number } | undefined;
    let rowid: number;
    if (existing) {
      rowid = existing.rowid;
      this.stmts.update.run({ ...row, rowid });
      this.stmts.deleteTags.run(rowid);
      this.stmts.deleteFts.run(rowid);
    } else {
      rowid = Number(this.stmts.insert.run(row).lastInsertRowid);
    }
    for (const tag of m.tags) this.stmts.insertTag.run(tag, rowid);
    this.stmts.insertFts.run(rowid, ftsText(m.content), ftsText(m.context), ftsText(m.tags.join(' ')), ftsText(m.project));
  }

  private removeRow(id: string): void {
    this.dfCache.clear();
    const existing = this.stmts.rowOf.get(id) as { rowid: number } | undefined;
    if (!existing) return;
    this.stmts.deleteFts.run(existing.rowid);
    this.stmts.deleteTags.run(existing.rowid);
    this.stmts.deleteRow.run(existing.rowid);
  }

  private bumpSeq(seq: number): void {
    if (seq > this.appliedSeq) {
      this.appliedSeq = seq;
      this.stmts.setMeta.run('seq', String(seq));
    }
  }

  private meta(key: string): string | undefined {
    return (this.stmts.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  private setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }
}

/** SQL conditions for a catalog filter, on table alias `t`. Values are always bound, never inlined. */
/** `byTag`: the deleted and updated terms are kept off their indexes (`+`), so a rare tag's rows drive the query. */
function whereOf(f: CatalogFilter, t: string, byTag = false): { sql: string; params: (string | number)[] } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const u = byTag ? '+' : '';
  if (f.onlyDeleted) parts.push(`${u}${t}.deleted = 1`);
  else if (!f.includeDeleted) parts.push(`${u}${t}.deleted = 0`);
  for (const [column, value] of [
    ['category', f.category],
    ['project', f.project],
    ['machine', f.machine],
    ['agent', f.agent],
  ] as const) {
    if (value !== undefined) {
      parts.push(`${t}.${column} = ?`);
      params.push(value);
    }
  }
  if (f.since !== undefined) {
    parts.push(`${u}${t}.updated >= ?`);
    params.push(f.since);
  }
  if (f.until !== undefined) {
    parts.push(`${u}${t}.updated < ?`);
    params.push(f.until);
  }
  for (const tag of f.tags ?? []) {
    parts.push(`${t}.rowid IN (SELECT rowid FROM memory_tags WHERE tag = ?)`);
    params.push(tag);
  }
  return { sql: parts.join(' AND '), params };
}
