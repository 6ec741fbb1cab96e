import * as A from '@automerge/automerge';
import { MeshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Tombstone } from '../store/types.js';
import type { Collection } from '../types.js';
import { checkIncoming, type IncomingGuard } from './IncomingGuard.js';
import { hasAllHeads } from './knownHeads.js';
import type { DocPayload } from './messages.js';
import { PROJECTORS } from './projectors.js';
import type { HeldTombstones } from './heldTombstones.js';
import { RefusalLog } from './RefusalLog.js';
import type { RejectionLog } from './RejectionLog.js';
import type { SyncMembership, SyncStore } from './SyncPorts.js';
import { verifyTombstone } from './tombstones.js';

/** What a `get` answer was an answer to: the heads we sent for the document, and the peer's feed epoch. */
export interface Answered {
  base: string[] | undefined;
  epoch: string | undefined;
}

/**
 * `rejected`: this version will not apply (a guard refused it, it does not decode or validate):
 * recorded in the RejectionLog, never retried in a loop. `incomplete`: its history is missing here;
 * the whole document is asked for.
 */
export type ApplyOutcome = 'applied' | 'unchanged' | 'incomplete' | 'tombstoned' | 'rejected';

export interface DocApplierDeps {
  store: SyncStore;
  membership: SyncMembership;
  logger: Logger;
  guards: readonly IncomingGuard[];
  rejections: RejectionLog;
  /** Called after a replicated erasure, so the host scrubs its files. */
  onRemoteErase: () => void;
  /** Brings the membership up to date from this peer (a guard met an author it does not know yet). */
  syncMembership?: (peer: string) => Promise<boolean>;
  /** Erasures dated beyond the clock-skew bound wait here instead of applying (issue 20). */
  held?: HeldTombstones;
}

/**
 * The one apply point: every document, change set and tombstone that arrives from a peer (pulled,
 * pushed, healed) passes through `apply`, where the IncomingGuards check it before anything is
 * stored. One document's failure is its own: it is logged and recorded, never thrown at its batch.
 */
export class DocApplier {
  /**
   * A document a peer keeps offering and this host keeps refusing (a member re-offering a forged
   * membership document on every pull and push, or making new forged versions of it) gets one line
   * per peer and document per interval, with the count since: the RejectionLog and `mesh status`
   * still record every refusal. Per document, not per peer: two different forgeries are two lines.
   */
  private readonly refusalLines = new RefusalLog();

  constructor(private readonly deps: DocApplierDeps) {}

  async apply(peer: string, payload: DocPayload, answer?: Answered): Promise<ApplyOutcome> {
    const { c, id } = payload;
    try {
      if (payload.unsendable !== undefined) {
        this.refused(peer, payload, 'out', payload.unsendable);
        return 'rejected';
      }
      const incoming = { peer, collection: c, id, payload };
      let verdict = await checkIncoming(this.deps.guards, incoming);
      // An author this host does not know yet may have joined after our last membership pull:
      // pull the membership once and judge again (never for the membership document itself).
      if (!verdict.ok && verdict.retryAfterMembership && c !== 'mesh' && this.deps.syncMembership) {
        // Membership could not be brought up to date: no verdict on the document, which the next pull or digest round offers again.
        if (!(await this.deps.syncMembership(peer))) return 'rejected';
        verdict = await checkIncoming(this.deps.guards, incoming);
      }
      if (!verdict.ok) {
        const line = this.refusalLines.shouldLog(`${peer} ${c}/${id}`);
        if (line) this.deps.logger.warn({ peer, collection: c, id, guard: verdict.guard, reason: verdict.reason, ...line }, 'refused a document from a peer (logged once per 10 min per peer and document)');
        this.refused(peer, payload, 'in', `${verdict.guard ?? 'guard'}: ${verdict.reason}`);
        return 'rejected';
      }
      if (payload.tomb) {
        if (await this.deps.store.tombstone(c, id)) return 'tombstoned';
        const erased = await this.applyTombstone(peer, c, id, payload.tomb);
        if (erased === 'held') return 'unchanged';
        if (erased) return 'applied';
        this.refused(peer, payload, 'in', 'tombstone signature not valid');
        return 'rejected';
      }
      if (payload.missing) return 'unchanged';
      const outcome = await this.applyRemote(peer, payload, answer);
      if (outcome === 'applied' || outcome === 'unchanged') this.deps.rejections.cleared(c, id);
      return outcome;
    } catch (err) {
      // The store closing under a pull is not the document's fault: the pull fails, its cursor stays.
      if (err instanceof MeshError && err.code === 'SHUTTING_DOWN') throw err;
      const line = this.refusalLines.shouldLog(`${peer} ${c}/${id}`);
      if (line) this.deps.logger.warn({ peer, collection: c, id, err: (err as Error).message, ...line }, 'rejected a document from a peer (logged once per 10 min per peer and document)');
      this.refused(peer, payload, 'in', (err as Error).message);
      return 'rejected';
    }
  }

  private refused(peer: string, payload: DocPayload, direction: 'in' | 'out', reason: string): void {
    if (direction === 'out') this.deps.logger.warn({ peer, collection: payload.c, id: payload.id, reason }, 'a peer could not send a document');
    this.deps.rejections.record({ collection: payload.c, id: payload.id, peer, direction, reason: reason.slice(0, 300), heads: payload.heads });
  }

  /**
   * Applies a document from a peer. Fast paths, without loading the document: a whole document we
   * do not have is stored as sent; changes answered against exactly the heads we sent (`base`) are
   * appended to the stored bytes. Both carry the sender's view (validated here) and are checked
   * by the store as it writes; when the check fails (the document moved here meanwhile), or there
   * is no view, the document is loaded and merged.
   */
  private async applyRemote(peer: string, payload: DocPayload, answer?: Answered): Promise<ApplyOutcome> {
    const base = answer?.base;
    const { c, id } = payload;
    const store = this.deps.store;
    const projector = PROJECTORS[c];
    if (!projector) throw new MeshError('PROTOCOL_ERROR', `collection ${c} is not replicated`);
    if (payload.view !== undefined) {
      const view = projector.schema.parse(payload.view);
      if (projector.idOf && projector.idOf(view) !== id) throw new MeshError('PROTOCOL_ERROR', 'document view names another id');
      const scope = projector.scope(view);
      let seq: number | undefined;
      if (payload.full && !base?.length) seq = await store.importDoc(c, id, payload.full, view, payload.heads, scope, peer, answer?.epoch, payload.sigs);
      else if (payload.changes?.length && base?.length) seq = await store.appendChanges(c, id, payload.changes, view, payload.heads, base, scope, peer, answer?.epoch, payload.sigs);
      if (seq !== undefined) return 'applied';
    }
    if (await store.tombstone(c, id)) return 'tombstoned';
    let complete = true;
    const { changed } = await store.mutate<unknown>(
      c,
      id,
      (current) => {
        // Our own actor, so a later local edit of this cached document is signed under it.
        let doc = current ?? A.init<unknown>(store.actor ? { actor: store.actor } : undefined);
        if (payload.changes?.length) [doc] = A.applyChanges(doc, payload.changes);
        if (payload.full) doc = A.merge(doc, A.load<unknown>(payload.full));
        complete = hasAllHeads(doc, payload.heads);
        // Changes for a document we do not have, whose history is missing: write nothing, fetch it whole.
        if (!current && !complete) return undefined;
        const view = projector.view(doc);
        return { doc, view, scope: projector.scope(view) };
      },
      { origin: peer, sigs: payload.sigs },
    );
    if (!complete) return 'incomplete';
    return changed ? 'applied' : 'unchanged';
  }

  /**
   * Applies a signed erasure; false when the signature does not verify (or we have it already);
   * `held` when it is valid but dated beyond the skew bound in our future: HeldTombstones keeps it
   * until this host's clock reaches its time (no host's clock alone erases data elsewhere).
   */
  async applyTombstone(peer: string, c: Collection, id: string, tomb: Tombstone): Promise<boolean | 'held'> {
    if (await this.deps.store.tombstone(c, id)) return false;
    const valid = await verifyTombstone(c, id, tomb, (p, at) => this.deps.membership.mayErase(p, at));
    if (!valid) {
      this.deps.logger.warn({ peer, collection: c, id }, 'rejected a tombstone with a bad or missing signature');
      return false;
    }
    if (this.deps.held?.isFuture(tomb)) {
      await this.deps.held.hold(peer, c, id, tomb);
      return 'held';
    }
    await this.deps.store.erase(c, id, tomb, { origin: peer });
    this.deps.onRemoteErase();
    return true;
  }
}
