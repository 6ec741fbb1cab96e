import { join } from 'node:path';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Memory } from '../domain/Memory.js';
import type { Logger } from '../log.js';
import type { DocStore } from '../store/DocStore.js';
import { embeddingKey } from './embedder/contentHash.js';
import type { Embedder } from './embedder/Embedder.js';
import { EMBED_BATCH_SIZE } from './constants.js';
import { EmbeddingCache } from './EmbeddingCache.js';
import type { VectorIndex, VectorIndexFiles } from './vector/VectorIndex.js';
import type { VectorHit } from './vector/VectorIndex.js';

/** What is embedded for a memory: its content, then its tags (short, deliberate signals). */
export function embeddingText(m: Pick<Memory, 'content' | 'tags'>): string {
  return m.tags.length ? `${m.content}\n${m.tags.join(' ')}` : m.content;
}

interface Job {
  id: string;
  text: string | null;
  seq: number;
}

interface VectorState {
  seq: number;
  modelId: string;
}

/** Live memories' vectors are saved at most this often when they changed. */
const SAVE_INTERVAL_MS = 30_000;
/** How long a writer waits for its memory's vector before answering anyway (keyword search already has it). */
const INDEXED_WAIT_MS = 5_000;

/**
 * The semantic side of search: one vector per live (not deleted) memory in an HNSW index, kept
 * current from the store's commits by a background queue that embeds in batches. Vectors are
 * derived: keyed by (model id, content hash) in a cache, rebuilt when the index is missing or was
 * built by another model, never mixed across models.
 */
export class MemoryVectors {
  private index!: VectorIndex;
  private cache!: EmbeddingCache;
  /** Local writes: a writer may be waiting for them (whenIndexed), so they go first, always. */
  private urgent = new Map<string, Job>();
  /** Replicated writes and replays: embedded in the background, after any bulk sync (see `deps.settled`). */
  private queue = new Map<string, Job>();
  private draining: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private closing = false;
  private waiters = new Map<string, (() => void)[]>();
  /** Ids taken off the queue and being embedded: a writer waiting for one must wait for the batch. */
  private readonly inFlight = new Set<string>();
  private appliedSeq = 0;
  private savedSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private rebuilding: Promise<number> | undefined;
  private progress = { done: 0, total: 0 };
  /** Why the saved index was last found damaged and moved aside (shown by `mesh doctor`). */
  private damage: { reason: string; at: string } | undefined;
  /**
   * While a rebuild runs: each memory whose job went into the current (old) index meanwhile, with
   * its text (null: removed). Those commits came after the rebuild's scan, or raced it; the fresh
   * index takes them too before it replaces the old one, or they were lost with it.
   */
  private drainedDuringRebuild: Map<string, string | null> | undefined;

  /**
   * @param deps.vectorIndex the vector index seam (vector/VectorIndex.ts); the daemon gives an HNSW
   *   one kept in `<dir>/hnsw`. `dir` holds this owner's own files: the embedding cache and state.
   * @param deps.settled resolves when no bulk replication is running; replicated memories are
   *   embedded only then, so an initial sync spends its CPU on storing and keyword-indexing.
   */
  constructor(
    private readonly deps: { store: DocStore; embedder: Embedder; vectorIndex: VectorIndexFiles; dir: string; logger: Logger; settled?: () => Promise<void> },
  ) {}

  get modelId(): string {
    return this.deps.embedder.modelId;
  }

  get seq(): number {
    return this.savedSeq;
  }

  status() {
    return {
      model: this.deps.embedder.modelId,
      dimension: this.deps.embedder.dimension,
      vectors: this.index?.size ?? 0,
      queued: this.queue.size + this.urgent.size,
      rebuilding: this.rebuilding ? this.progress : null,
      damaged: this.damage ?? null,
    };
  }

  async open(): Promise<{ state: string; replayed: number }> {
    const { store, embedder, dir, logger } = this.deps;
    this.cache = EmbeddingCache.open(join(dir, 'embeddings.sqlite'), embedder.dimension, logger);
    const opened = await this.deps.vectorIndex.open();
    this.index = opened.index;
    if (opened.state === 'corrupt') {
      this.damage = { reason: opened.reason, at: new Date().toISOString() };
      logger.error({ reason: opened.reason }, 'the vector index failed its check: moved aside, rebuilding it from the store');
    }
    const state = await this.readState();
    // Memories committed while the log is replayed below: their commit's job is the newest.
    let committedDuringReplay: Set<string> | undefined = new Set();
    store.onCommit((event) => {
      if (event.collection !== 'memories') return;
      committedDuringReplay?.add(event.id);
      this.enqueue(event.id, event.tomb || !event.view ? null : (event.view as Memory), event.seq, event.origin === undefined);
    });
    this.timer = setInterval(() => void this.saveIfDirty().catch((err: unknown) => logger.error({ err }, 'saving vectors failed')), SAVE_INTERVAL_MS);
    this.timer.unref();
    if (opened.state !== 'loaded' || !state || state.modelId !== embedder.modelId || state.seq > store.lastSeq || state.seq < store.logTrimmedTo) {
      committedDuringReplay = undefined;
      logger.info({ reason: opened.state === 'loaded' ? 'state file missing or from another model' : opened.reason }, 'rebuilding the vector index in the background');
      void this.rebuild().catch((err: unknown) => logger.error({ err }, 'vector rebuild failed'));
      return { state: 'rebuilding', replayed: 0 };
    }
    this.appliedSeq = this.savedSeq = state.seq;
    let replayed = 0;
    try {
      for await (const entry of store.changesSince(state.seq)) {
        if (entry.collection !== 'memories' || committedDuringReplay.has(entry.id)) continue;
        const view = entry.op === 'erase' ? null : ((await store.view<Memory>('memories', entry.id)) ?? null);
        // A commit of this memory landed while its view was read: that view may be older than the
        // commit's, which is queued already and must not be replaced (the issue 18 pattern).
        if (committedDuringReplay.has(entry.id)) continue;
        this.enqueue(entry.id, view, entry.seq, false);
        replayed++;
      }
    } finally {
      committedDuringReplay = undefined;
    }
    return { state: 'loaded', replayed };
  }

  /** Re-embeds (through the cache) every live memory into a fresh index. */
  rebuild(onProgress?: (done: number, total: number) => void): Promise<number> {
    this.rebuilding ??= (async () => {
      const { store } = this.deps;
      const drained = new Map<string, string | null>();
      this.drainedDuringRebuild = drained;
      const seq = store.lastSeq;
      const fresh = this.deps.vectorIndex.create();
      const live: Memory[] = [];
      for await (const [, m] of store.scanViews<Memory>('memories')) if (!m.deleted) live.push(m);
      this.progress = { done: 0, total: live.length };
      for (let i = 0; i < live.length; i += EMBED_BATCH_SIZE * 4) {
        const batch = live.slice(i, i + EMBED_BATCH_SIZE * 4);
        const vectors = await this.vectorsFor(batch.map(embeddingText));
        batch.forEach((m, j) => fresh.add(m.id, vectors[j]!));
        this.progress.done += batch.length;
        onProgress?.(this.progress.done, live.length);
      }
      // Commits embedded into the old index meanwhile go into the fresh one too, newest last; the
      // swap follows the last check with no await between, so none is lost with the old index.
      while (drained.size > 0) {
        const late = [...drained];
        drained.clear();
        const kept = late.filter((l): l is [string, string] => l[1] !== null);
        const vectors = await this.vectorsFor(kept.map(([, text]) => text));
        kept.forEach(([id], j) => fresh.add(id, vectors[j]!));
        for (const [id, text] of late) if (text === null && fresh.has(id)) fresh.remove(id);
      }
      this.index = fresh;
      this.drainedDuringRebuild = undefined;
      this.appliedSeq = Math.max(this.appliedSeq, seq);
      // Jobs still queued (a replicated write waiting for a bulk sync to end) are not in the index:
      // a state saved past them would skip them after a crash.
      await this.saveAt(this.seqBeforeQueued());
      return live.length;
    })().finally(() => {
      this.drainedDuringRebuild = undefined;
      this.rebuilding = undefined;
    });
    return this.rebuilding;
  }

  /** Nearest live memories to a query text, best first, with cosine similarity. */
  async search(query: string, k: number, filter?: (id: string) => boolean): Promise<VectorHit[]> {
    const [vector] = await this.deps.embedder.embed([query]);
    if (!vector || this.index.size === 0) return [];
    return this.index.search(vector, Math.min(k, this.index.size), filter);
  }

  /** Nearest neighbours of a stored memory (for duplicate detection). */
  async neighbours(memory: Memory, k: number): Promise<VectorHit[]> {
    const [vector] = await this.vectorsFor([embeddingText(memory)]);
    if (!vector || this.index.size === 0) return [];
    return this.index.search(vector, Math.min(k + 1, this.index.size)).filter((h) => h.key !== memory.id);
  }

  /** Whether the vector index holds a vector for this memory now. */
  holds(id: string): boolean {
    return this.index.has(id);
  }

  /**
   * The vector index's part of the after-erase step: vectors of memories that left (erased or
   * deleted) are removed now rather than when the queue reaches them (a replicated one may wait
   * for a bulk sync to settle), and the index is saved, so the file no longer lists them.
   */
  async persistErasures(): Promise<void> {
    // A rebuild swaps in a fresh index and saves it; removals stay queued for the index it ends with.
    if (this.rebuilding) return;
    for (const source of [this.urgent, this.queue]) {
      for (const job of [...source.values()]) {
        if (job.text !== null) continue;
        source.delete(job.id);
        this.index.remove(job.id);
        for (const wake of this.waiters.get(job.id) ?? []) wake();
        this.waiters.delete(job.id);
      }
    }
    // As at close: what is still queued is not in the index, so the saved sequence stays before it.
    await this.saveAt(this.seqBeforeQueued());
  }

  /** Resolves once the given memory's latest version is in the vector index (bounded wait). */
  whenIndexed(id: string): Promise<void> {
    if (!this.queued(id) && !this.inFlight.has(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, INDEXED_WAIT_MS);
      const list = this.waiters.get(id) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.waiters.set(id, list);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.closing = true;
    this.wake?.();
    await this.draining;
    await this.rebuilding?.catch(() => undefined);
    // Whatever is still queued is not in the index: record a sequence before it, so the next
    // start replays it from the store's log (which is kept from this sequence on).
    for (const job of [...this.urgent.values(), ...this.queue.values()]) this.appliedSeq = Math.min(this.appliedSeq, job.seq - 1);
    if (this.appliedSeq !== this.savedSeq) await this.save();
    this.cache?.close();
  }

  /** The store sequence the index holds every write up to: before the oldest job still queued. */
  private seqBeforeQueued(): number {
    let seq = this.appliedSeq;
    for (const job of [...this.urgent.values(), ...this.queue.values()]) seq = Math.min(seq, job.seq - 1);
    return seq;
  }

  private queued(id: string): boolean {
    return this.urgent.has(id) || this.queue.has(id);
  }

  private enqueue(id: string, memory: Memory | null, seq: number, local: boolean): void {
    // Deleted memories leave the vector index; recovering one puts it back. The newest version wins.
    const job = { id, text: memory && !memory.deleted ? embeddingText(memory) : null, seq };
    this.urgent.delete(id);
    this.queue.delete(id);
    (local ? this.urgent : this.queue).set(id, job);
    this.appliedSeq = Math.max(this.appliedSeq, seq);
    if (local) this.wake?.();
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Waits until no bulk sync runs, or until a local write or close() needs the queue moving. */
  private async waitForTurn(): Promise<void> {
    if (!this.deps.settled) return;
    await Promise.race([this.deps.settled(), new Promise<void>((resolve) => (this.wake = resolve))]);
    this.wake = undefined;
  }

  private async drain(): Promise<void> {
    while (!this.closing && (this.urgent.size > 0 || this.queue.size > 0)) {
      if (this.urgent.size === 0) await this.waitForTurn();
      if (this.closing) break;
      const source = this.urgent.size > 0 ? this.urgent : this.queue;
      const jobs = [...source.values()].slice(0, EMBED_BATCH_SIZE * 4);
      for (const job of jobs) {
        source.delete(job.id);
        this.inFlight.add(job.id);
      }
      const toEmbed = jobs.filter((j) => j.text !== null);
      try {
        const vectors = await this.vectorsFor(toEmbed.map((j) => j.text!));
        toEmbed.forEach((job, i) => {
          // A newer version queued meanwhile wins; this one would be stale.
          if (!this.queued(job.id)) this.index.add(job.id, vectors[i]!);
        });
        for (const job of jobs) if (job.text === null && this.index.has(job.id) && !this.queued(job.id)) this.index.remove(job.id);
        for (const job of jobs) if (!this.queued(job.id)) this.drainedDuringRebuild?.set(job.id, job.text);
      } catch (err) {
        this.deps.logger.error({ err: (err as Error).message }, 'embedding failed; these memories stay keyword-only until the next reindex');
      }
      for (const job of jobs) {
        this.inFlight.delete(job.id);
        if (this.queued(job.id)) continue;
        for (const wake of this.waiters.get(job.id) ?? []) wake();
        this.waiters.delete(job.id);
      }
    }
  }

  /** Embeds through the cache: only texts never embedded with this model reach the model. */
  private async vectorsFor(texts: string[]): Promise<Float32Array[]> {
    const model = this.deps.embedder.modelId;
    const keys = texts.map((t) => embeddingKey(model, t));
    const out: (Float32Array | undefined)[] = keys.map((k) => this.cache.get(k));
    const missing = out.flatMap((v, i) => (v ? [] : [i]));
    if (missing.length) {
      const fresh = await this.deps.embedder.embed(missing.map((i) => texts[i]!));
      const entries: [string, Float32Array][] = [];
      missing.forEach((i, j) => {
        out[i] = fresh[j]!;
        entries.push([keys[i]!, fresh[j]!]);
      });
      this.cache.putMany(entries);
    }
    return out as Float32Array[];
  }

  private async saveIfDirty(): Promise<void> {
    if (this.appliedSeq !== this.savedSeq && !this.rebuilding && !this.draining && this.queue.size === 0 && this.urgent.size === 0) await this.save();
  }

  private save(): Promise<void> {
    return this.saveAt(this.appliedSeq);
  }

  private async saveAt(seq: number): Promise<void> {
    await this.index.save();
    const path = join(this.deps.dir, 'state.json');
    await writeFile(`${path}.tmp`, JSON.stringify({ seq, modelId: this.deps.embedder.modelId } satisfies VectorState), { mode: 0o600 });
    await rename(`${path}.tmp`, path);
    this.savedSeq = seq;
  }

  /** The saved state, or undefined when missing or damaged (either way the index is rebuilt). */
  private async readState(): Promise<VectorState | undefined> {
    try {
      const state = JSON.parse(await readFile(join(this.deps.dir, 'state.json'), 'utf8')) as Partial<VectorState>;
      return Number.isSafeInteger(state.seq) && typeof state.modelId === 'string' ? (state as VectorState) : undefined;
    } catch {
      return undefined;
    }
  }
}
