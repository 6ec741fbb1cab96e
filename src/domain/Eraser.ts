import { AsyncLocalStorage } from 'node:async_hooks';
import type { DocStore } from '../store/DocStore.js';
import type { Tombstone } from '../store/types.js';
import type { Actor, Collection } from '../types.js';

/**
 * What must happen after an erasure before it is reported done: on the daemon, the scrub that
 * removes the erased text from every file of the home (index WAL, LevelDB's old tables, derived
 * files moved aside). Awaited, so an answer to a hard delete means the text is gone.
 */
export type AfterErase = () => Promise<void>;

/** Signs a tombstone with this host's mesh key once replication runs (unsigned ones stay local). */
export type TombstoneSigner = (collection: Collection, id: string, tomb: Tombstone) => Promise<Tombstone>;

export interface EraserDeps {
  store: Pick<DocStore, 'erase'>;
  sign: TombstoneSigner;
  afterErase: AfterErase;
}

/** Fields of a tombstone that the erasing service decides; time, machine and agent come from the call. */
export interface ErasureNote {
  reason?: string;
  scope?: Tombstone['scope'];
}

/**
 * The one erasure path of every service (memories, tasks, agents; vaults and devops documents
 * next): sign a tombstone, erase the document under it, then await the after-erase step. Many
 * erasures made inside `batch` (a retention sweep, a bulk delete, a GDPR erasure) share one
 * after-erase step at the end of the batch; a batch is scoped to its own async call chain, so an
 * erasure made by another request meanwhile still waits for its own.
 */
export class Eraser {
  private readonly batches = new AsyncLocalStorage<{ erased: boolean }>();

  constructor(private readonly deps: EraserDeps) {}

  async erase(collection: Collection, id: string, actor: Actor, erasedAt: number, note: ErasureNote = {}): Promise<void> {
    const tomb = await this.deps.sign(collection, id, {
      erasedAt,
      machine: actor.machine,
      agent: actor.agent,
      ...(note.reason ? { reason: note.reason } : {}),
      ...(note.scope ? { scope: note.scope } : {}),
    });
    await this.deps.store.erase(collection, id, tomb);
    await this.erased();
  }

  /**
   * Records that an erasure happened (this host's, or one replicated from a peer) and runs the
   * after-erase step, or leaves it to the end of the enclosing batch.
   */
  async erased(): Promise<void> {
    const batch = this.batches.getStore();
    if (batch) batch.erased = true;
    else await this.deps.afterErase();
  }

  /** Runs `fn`; the erasures it makes are followed by one after-erase step, awaited before this returns. */
  async batch<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.batches.getStore();
    if (outer) return fn();
    const batch = { erased: false };
    try {
      return await this.batches.run(batch, fn);
    } finally {
      if (batch.erased) await this.deps.afterErase();
    }
  }
}
