import type * as A from '@automerge/automerge';
import { MeshError, NotFoundError } from '../errors.js';
import type { DocStore } from '../store/DocStore.js';
import type { ShareScope } from '../store/types.js';
import type { Collection } from '../types.js';

/** How a service names its documents in the errors a missing one gets. */
export interface MissingWords {
  /** `memory`, `task`: the start of "task abc not found". */
  noun: string;
  /** The ERASED message's tail after "<noun> <id> ", given the erasure time (ISO). */
  erased: (at: string) => string;
  /** A damaged document's message, for services whose documents can be re-fetched (none: plain NOT_FOUND). */
  damaged?: (id: string) => string;
}

/**
 * The error for a document that is not here: ERASED when a tombstone says so, DOCUMENT_DAMAGED
 * when this host cannot read it back, else NOT_FOUND.
 */
export async function throwMissing(store: Pick<DocStore, 'tombstone' | 'isDamaged'>, collection: Collection, id: string, words: MissingWords): Promise<never> {
  const tomb = await store.tombstone(collection, id);
  if (tomb) throw new MeshError('ERASED', `${words.noun} ${id} ${words.erased(new Date(tomb.erasedAt).toISOString())}`, { id });
  if (words.damaged && store.isDamaged(collection, id)) throw new MeshError('DOCUMENT_DAMAGED', words.damaged(id), { id });
  throw new NotFoundError(words.noun, id);
}

/**
 * Changes one document of a service: `next` gets the newest version (or, creating, ignores it)
 * and returns the changed document, whose view is stored beside it. A document that is not
 * there (and not being created) gets the service's missing error. Resolves once durable.
 */
export async function commitDoc<D, V>(
  store: Pick<DocStore, 'mutate' | 'tombstone' | 'isDamaged'>,
  collection: Collection,
  id: string,
  next: (current: A.Doc<D>) => A.Doc<D>,
  how: { create: boolean; view: (doc: A.Doc<D>) => V; scope: (view: V) => ShareScope; missing: MissingWords },
): Promise<{ view: V; seq: number }> {
  let view: V | undefined;
  const { seq } = await store.mutate<D>(collection, id, (current) => {
    if (!current && !how.create) return undefined;
    const doc = next(current as A.Doc<D>);
    view = how.view(doc);
    return { doc, view, scope: how.scope(view) };
  });
  if (view === undefined) return throwMissing(store, collection, id, how.missing);
  return { view, seq };
}
