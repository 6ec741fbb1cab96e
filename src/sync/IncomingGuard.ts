import type { Collection } from '../types.js';
import type { DocPayload } from './messages.js';

/**
 * A rule checked where this replica applies a document that arrived from a peer, before anything
 * is stored. Anti-entropy relays other hosts' writes, so the connection that delivered a document
 * says nothing about its author: rights (membership changes, authorship, scopes, vault grants)
 * are checked here, on the content, by every replica. This is the one apply point every incoming
 * document, change set and tombstone passes through.
 */
export interface IncomingDocument {
  /** The member whose connection delivered it (a relay, not necessarily the author). */
  peer: string;
  collection: Collection;
  id: string;
  payload: DocPayload;
}

/**
 * A refusal is final for that version of the document: the pull moves on (a refused document never
 * holds a peer's cursor) and the next write of it is judged again. `retryAfterMembership`: the
 * content names a member this host does not know yet (a newcomer's first pull sees documents before
 * the membership document); the engine brings membership up to date and checks once more.
 */
export type GuardVerdict = { ok: true } | { ok: false; reason: string; retryAfterMembership?: boolean };

export interface IncomingGuard {
  /** A short name for logs and `mesh status` ("membership", "authorship", ...). */
  readonly name: string;
  check(doc: IncomingDocument): Promise<GuardVerdict> | GuardVerdict;
}

/** Runs the guards in order; the first refusal wins. */
export async function checkIncoming(guards: readonly IncomingGuard[], doc: IncomingDocument): Promise<GuardVerdict & { guard?: string }> {
  for (const guard of guards) {
    const verdict = await guard.check(doc);
    if (!verdict.ok) return { ...verdict, guard: guard.name };
  }
  return { ok: true };
}
