import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AsPlainObject } from 'minisearch';
import type { Memory } from '../domain/Memory.js';
import type { Logger } from '../log.js';
import type { DocStore } from '../store/DocStore.js';
import { KeywordIndex, type KeywordDoc } from './KeywordIndex.js';
import { catalogEntryOf, matches, type CatalogEntry, type CatalogFilter } from './MemoryCatalog.js';

const SNAPSHOT_VERSION = 1;
const SNAPSHOT_FILE = 'memories.json';

interface Snapshot {
  version: number;
  seq: number;
  catalog: [string, CatalogEntry][];
  keyword: AsPlainObject;
}

export function keywordDocOf(memory: Memory): KeywordDoc {
  return { id: memory.id, content: memory.content, context: memory.context, tags: memory.tags.join(' '), project: memory.project };
}

/**
 * The derived indexes of the memories collection: a catalog of metadata for filters and listings,
 * and the keyword index. Both are rebuilt from the store's views when the snapshot is missing or
 * unreadable, and caught up from the store's sequence log otherwise, so deleting the index
 * directory and restarting gives the same answers.
 */
export class MemoryIndex {
  readonly catalog = new Map<string, CatalogEntry>();
  keyword = new KeywordIndex();
  private appliedSeq = 0;
  private snapshotSeq = 0;

  constructor(
    private readonly store: DocStore,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  get seq(): number {
    return this.appliedSeq;
  }

  get dirty(): boolean {
    return this.appliedSeq !== this.snapshotSeq;
  }

  /** Loads the snapshot (or rebuilds) and replays what was committed after it. Returns entries replayed. */
  async open(): Promise<{ rebuilt: boolean; replayed: number }> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const loaded = await this.loadSnapshot();
    if (!loaded) {
      await this.rebuild();
      return { rebuilt: true, replayed: 0 };
    }
    let replayed = 0;
    for await (const entry of this.store.changesSince(this.appliedSeq)) {
      if (entry.collection === 'memories') {
        if (entry.op === 'erase') this.remove(entry.id);
        else {
          const view = await this.store.view<Memory>('memories', entry.id);
          if (view) this.apply(view);
          else this.remove(entry.id);
        }
      }
      this.appliedSeq = entry.seq;
      replayed++;
    }
    this.appliedSeq = Math.max(this.appliedSeq, this.store.lastSeq);
    return { rebuilt: false, replayed };
  }

  /** Rebuilds both indexes from the stored views. */
  async rebuild(onProgress?: (done: number) => void): Promise<number> {
    const seq = this.store.lastSeq;
    this.catalog.clear();
    this.keyword = new KeywordIndex();
    let n = 0;
    for await (const [, memory] of this.store.scanViews<Memory>('memories')) {
      this.apply(memory);
      n++;
      if (onProgress && n % 1000 === 0) onProgress(n);
    }
    onProgress?.(n);
    this.appliedSeq = seq;
    this.snapshotSeq = -1;
    await this.snapshot();
    return n;
  }

  apply(memory: Memory, seq?: number): void {
    this.catalog.set(memory.id, catalogEntryOf(memory));
    this.keyword.upsert(keywordDocOf(memory));
    if (seq !== undefined) this.appliedSeq = Math.max(this.appliedSeq, seq);
  }

  remove(id: string, seq?: number): void {
    this.catalog.delete(id);
    this.keyword.remove(id);
    if (seq !== undefined) this.appliedSeq = Math.max(this.appliedSeq, seq);
  }

  /** Ids whose catalog entry passes the filter, newest update first. */
  list(filter: CatalogFilter, limit: number): string[] {
    const hits: [string, number][] = [];
    for (const [id, entry] of this.catalog) if (matches(entry, filter)) hits.push([id, entry.updated]);
    hits.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return hits.slice(0, limit).map(([id]) => id);
  }

  keywordSearch(query: string, filter: CatalogFilter, limit: number) {
    const hits = this.keyword.search(query, (id) => {
      const entry = this.catalog.get(id);
      return entry !== undefined && matches(entry, filter);
    });
    // Ties are broken by id so answers do not depend on insertion order (a rebuilt index gives the same list).
    hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    return hits.slice(0, limit);
  }

  /**
   * Persists both indexes atomically (temp file + rename) and trims the store's log up to the
   * snapshot. After an erasure, vacuum first so the erased text leaves the file too.
   */
  async snapshot(opts: { vacuum?: boolean } = {}): Promise<void> {
    if (opts.vacuum) await this.keyword.vacuum();
    const seq = this.appliedSeq;
    const snap: Snapshot = { version: SNAPSHOT_VERSION, seq, catalog: [...this.catalog], keyword: this.keyword.toJSON() };
    const path = join(this.dir, SNAPSHOT_FILE);
    const tmp = `${path}.tmp`;
    await writeFile(tmp, JSON.stringify(snap), { mode: 0o600 });
    await rename(tmp, path);
    this.snapshotSeq = seq;
    await this.store.trimLog(seq);
    this.logger.debug({ seq, memories: this.catalog.size }, 'index snapshot written');
  }

  async deleteFiles(): Promise<void> {
    await rm(join(this.dir, SNAPSHOT_FILE), { force: true });
  }

  private async loadSnapshot(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(join(this.dir, SNAPSHOT_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    try {
      const snap = JSON.parse(text) as Snapshot;
      if (snap.version !== SNAPSHOT_VERSION || snap.seq > this.store.lastSeq) {
        this.logger.warn({ version: snap.version, seq: snap.seq, storeSeq: this.store.lastSeq }, 'index snapshot does not match the store; rebuilding');
        return false;
      }
      this.catalog.clear();
      for (const [id, entry] of snap.catalog) this.catalog.set(id, entry);
      this.keyword = KeywordIndex.fromJSON(snap.keyword);
      this.appliedSeq = snap.seq;
      this.snapshotSeq = snap.seq;
      return true;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'index snapshot unreadable; rebuilding');
      return false;
    }
  }
}
