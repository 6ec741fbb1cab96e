import MiniSearch, { type AsPlainObject } from 'minisearch';
import { tokenize } from './tokenize.js';

/** The text of one memory as the keyword index sees it. */
export interface KeywordDoc {
  id: string;
  content: string;
  context: string;
  tags: string;
  project: string;
}

export interface KeywordHit {
  id: string;
  score: number;
}

const FIELDS = ['content', 'context', 'tags', 'project'] as const;

function options() {
  return {
    fields: [...FIELDS],
    storeFields: [],
    tokenize,
    // Tokens are already lower-cased; keep stop words, since "no", "not" matter in incidents.
    processTerm: (term: string) => term,
    searchOptions: { boost: { tags: 2, project: 1.5, content: 1, context: 0.7 }, prefix: true, fuzzy: 0.15, combineWith: 'OR' as const },
    autoVacuum: true,
  };
}

/**
 * BM25+ keyword index (MiniSearch). Derived data: rebuilt from the store when missing, persisted
 * as part of the index snapshot so start-up does not re-tokenise every memory.
 */
export class KeywordIndex {
  private mini: MiniSearch<KeywordDoc>;

  constructor(mini?: MiniSearch<KeywordDoc>) {
    this.mini = mini ?? new MiniSearch<KeywordDoc>(options());
  }

  static fromJSON(json: AsPlainObject): KeywordIndex {
    return new KeywordIndex(MiniSearch.loadJS<KeywordDoc>(json, options()));
  }

  toJSON(): AsPlainObject {
    return this.mini.toJSON();
  }

  /** Adds or replaces a document. Replacement discards the old entry; vacuuming reclaims its terms. */
  upsert(doc: KeywordDoc): void {
    if (this.mini.has(doc.id)) this.mini.discard(doc.id);
    this.mini.add(doc);
  }

  remove(id: string): void {
    if (this.mini.has(id)) this.mini.discard(id);
  }

  has(id: string): boolean {
    return this.mini.has(id);
  }

  /** Drops discarded documents' terms for good; erasure waits on this before persisting. */
  async vacuum(): Promise<void> {
    await this.mini.vacuum({ batchSize: 10_000, batchWait: 0 });
  }

  search(query: string, filter?: (id: string) => boolean): KeywordHit[] {
    const results = this.mini.search(query, filter ? { filter: (r) => filter(r.id as string) } : {});
    return results.map((r) => ({ id: r.id as string, score: r.score }));
  }

  get size(): number {
    return this.mini.documentCount;
  }
}
