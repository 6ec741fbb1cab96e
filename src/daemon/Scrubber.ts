import type { MemoryIndex } from '../search/MemoryIndex.js';
import type { MemoryVectors } from '../search/MemoryVectors.js';
import { removeAsides } from '../search/moveAside.js';
import type { DocStore } from '../store/DocStore.js';
import { Serializer } from './Serializer.js';

/**
 * The daemon's after-erase step (domain/Eraser.ts): merge the keyword index's FTS5 segments
 * ('optimize': deleted rows' postings stay in old segments until a merge) and fold its WAL
 * (secure_delete zeroes the pages freed), save the vector index without the erased vectors, compact LevelDB so no old table keeps the document, and delete derived
 * files moved aside as damaged (they may hold the erased text). Runs one at a time; erasures made
 * while one runs share the next run.
 */
export class Scrubber {
  private readonly runs = new Serializer();

  constructor(private readonly parts: { index: () => MemoryIndex | undefined; store: () => DocStore | undefined; vectors: () => MemoryVectors | undefined; indexDir: string }) {}

  scrub(): Promise<void> {
    return this.runs.run(async () => {
      await this.parts.index()?.checkpoint({ erasure: true });
      await this.parts.vectors()?.persistErasures();
      await this.parts.store()?.compact();
      await removeAsides(this.parts.indexDir);
    });
  }

  idle(): Promise<void> {
    return this.runs.idle();
  }
}
