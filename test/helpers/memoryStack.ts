import { join } from 'node:path';
import type { ChangeSigner } from '../../src/authorship/changeSignatures.js';
import { MemoryService } from '../../src/domain/MemoryService.js';
import { silentLogger } from '../../src/log.js';
import { MemoryIndex } from '../../src/search/MemoryIndex.js';
import { Thesaurus } from '../../src/search/Thesaurus.js';
import { DocStore } from '../../src/store/DocStore.js';
import { Eraser } from '../../src/domain/Eraser.js';
import { Scrubber } from '../../src/daemon/Scrubber.js';
import type { MemoryVectors } from '../../src/search/MemoryVectors.js';
import type { Actor } from '../../src/types.js';

export const ACTOR: Actor = { machine: 'test-host', agent: 'test-agent' };

/** An eraser for a bare store in a unit test: tombstones unsigned, and no derived files to scrub after. */
export function bareEraser(store: DocStore): Eraser {
  return new Eraser({ store, sign: (_c, _id, tomb) => Promise.resolve(tomb), afterErase: () => Promise.resolve() });
}

/** The real store, index and service over a real LevelDB in `dir`; the clock is injectable. */
/** `author`: write as a host would, under the actor bound to its key and signing every change (src/authorship). */
export async function openStack(dir: string, opts: { now?: () => number; retentionDays?: number; custom?: string[]; synonyms?: string[][]; actorId?: string; author?: { actor: string; signer: ChangeSigner } } = {}) {
  const logger = silentLogger();
  const actorId = opts.author?.actor ?? opts.actorId ?? 'aa'.repeat(16);
  const store = new DocStore(join(dir, 'db'), logger, actorId, opts.author?.signer);
  await store.open();
  const index = new MemoryIndex(store, join(dir, 'index'), logger);
  const opened = await index.open();
  const thesaurus = opts.synonyms ? new Thesaurus(opts.synonyms, (w) => index.stem(w), (ws) => index.stemMany(ws)) : undefined;
  // The daemon's own after-erase step over this stack's files (tombstones unsigned: no mesh key here).
  const derived: { vectors?: MemoryVectors } = {};
  const scrubber = new Scrubber({ index: () => index, store: () => store, vectors: () => derived.vectors, indexDir: join(dir, 'index') });
  const eraser = new Eraser({ store, sign: (_c, _id, tomb) => Promise.resolve(tomb), afterErase: () => scrubber.scrub() });
  const memories = new MemoryService({
    store,
    index,
    logger,
    actorId,
    customCategories: opts.custom ?? [],
    retentionDays: opts.retentionDays ?? 30,
    eraser,
    ...(opts.now ? { now: opts.now } : {}),
    ...(thesaurus ? { thesaurus } : {}),
  });
  return {
    store,
    index,
    memories,
    thesaurus,
    eraser,
    scrubber,
    opened,
    /** Semantic search and its after-erase part, once a vector index is opened over this store. */
    useVectors(vectors: MemoryVectors): void {
      derived.vectors = vectors;
      memories.setVectors(vectors);
    },
    async close() {
      await scrubber.idle();
      await store.flush();
      index.close();
      await store.close();
    },
  };
}
