import * as A from '@automerge/automerge';
import type { Membership } from '../mesh/Membership.js';
import type { DocStore } from '../store/DocStore.js';
import type { GuardVerdict, IncomingDocument, IncomingGuard } from '../sync/IncomingGuard.js';

/**
 * A memory's scope is widened (team → mesh) only by its author or by an admin (of the mesh, or
 * of a team its author is in), checked where a host that holds the narrower version applies
 * changes: such a host never stores, and so never relays, a widening anyone else made. The
 * author is the Automerge actor that first set the scope; a writer is known by its actor, bound
 * to a peer in the signed membership (until changes are signed, see ARCHITECTURE: an actor id
 * is a claim a compromised member can copy).
 */
export class ScopeGuard implements IncomingGuard {
  readonly name = 'scope';

  constructor(
    private readonly store: DocStore,
    private readonly membership: Membership,
  ) {}

  async check({ collection, id, payload }: IncomingDocument): Promise<GuardVerdict> {
    if (collection !== 'memories' || payload.tomb || (!payload.changes?.length && !payload.full)) return { ok: true };
    const sent = (payload.view as { scope?: unknown } | undefined)?.scope;
    if (sent === 'team' || sent === 'private') return { ok: true }; // not a widening
    const mine = await this.store.view<{ scope?: string }>('memories', id);
    if (!mine || mine.scope === 'mesh' || mine.scope === undefined) return { ok: true };
    const local = await this.store.load<{ scope?: unknown }>('memories', id);
    if (!local) return { ok: true };
    // The outcome decides, not the operations (a scope is text: replaced or edited in place).
    let merged: A.Doc<{ scope?: unknown }>;
    try {
      merged = payload.changes?.length ? A.applyChanges(A.clone(local), payload.changes)[0] : A.merge(A.clone(local), A.load(payload.full!));
    } catch {
      return { ok: false, reason: 'memory changes do not decode' };
    }
    if (String(merged.scope) !== 'mesh') return { ok: true };
    const author = scopeAuthor(local);
    const authorPeer = author ? this.membership.peerOfActor(author) : undefined;
    for (const bytes of A.getChanges(local, merged)) {
      const actor = A.decodeChange(bytes).actor;
      if (actor === author) continue;
      const peer = this.membership.peerOfActor(actor);
      const teamAdmin = peer !== undefined && authorPeer !== undefined && (this.membership.get(peer)?.team_admin ?? []).some((t) => this.membership.teamsOf(authorPeer).includes(t));
      if (peer !== undefined && (this.membership.isAdmin(peer) || teamAdmin)) continue;
      return { ok: false, reason: `scope widened from ${mine.scope} to mesh with changes by actor ${actor.slice(0, 8)}, neither the memory's author nor an admin` };
    }
    return { ok: true };
  }
}

/** The actor that first set the document's scope: the one that created it. */
function scopeAuthor(doc: A.Doc<unknown>): string | undefined {
  for (const bytes of A.getAllChanges(doc)) {
    const change = A.decodeChange(bytes);
    if (change.ops.some((op) => op.obj === '_root' && 'key' in op && op.key === 'scope')) return change.actor;
  }
  return undefined;
}
