import * as A from '@automerge/automerge';
import { LEGACY_MEMBERS_DOC_ID, MEMBERSHIP_DOC_ID, type Membership } from '../mesh/Membership.js';
import { foldMembership } from '../trust/foldMembership.js';
import { checkEntry, type SignedOp } from '../trust/membershipOps.js';
import type { DocStore } from '../store/DocStore.js';
import type { GuardVerdict, IncomingDocument, IncomingGuard } from './IncomingGuard.js';
import { knownHeads } from './knownHeads.js';

/**
 * Membership documents from peers, checked before they are stored: the signed graph only ever
 * gains entries, each a signed operation stored under its own hash, of this mesh, that its
 * author had the right to make in the history it names (localfirst/auth's rule: a link is judged
 * by its own past). Anything else (an unsigned or altered entry, a deletion, a forged add, a
 * self-granted team) refuses the whole document from that peer, so it never reaches the store;
 * honest hosts send the honest entries on their own. Membership is never erased.
 */
export class MembershipGuard implements IncomingGuard {
  readonly name = 'membership';

  constructor(
    private readonly store: DocStore,
    private readonly membership: Membership,
    private readonly meshId: string,
    private readonly root: () => string | undefined,
  ) {}

  async check({ collection, id, payload }: IncomingDocument): Promise<GuardVerdict> {
    if (collection !== 'mesh') return { ok: true };
    if (payload.tomb) return { ok: false, reason: 'membership documents are never erased' };
    if (id === LEGACY_MEMBERS_DOC_ID) return { ok: true }; // unsigned; read only to migrate (see Membership)
    if (id !== MEMBERSHIP_DOC_ID) return { ok: false, reason: `no membership document is called ${id}` };
    let changes: Uint8Array[];
    try {
      changes = [...(payload.changes ?? []), ...(payload.full ? await this.newIn(payload.full) : [])];
    } catch {
      return { ok: false, reason: 'membership document does not decode' };
    }
    const fresh = new Map<string, SignedOp>();
    for (const bytes of changes) {
      let ops: ReturnType<typeof A.decodeChange>['ops'];
      try {
        ops = A.decodeChange(bytes).ops;
      } catch {
        return { ok: false, reason: 'membership change does not decode' };
      }
      for (const op of ops) {
        if (op.action !== 'set' || op.obj !== '_root' || !('key' in op) || typeof op.key !== 'string' || typeof op.value !== 'string') {
          return { ok: false, reason: `membership entries are only ever added, as signed strings (found ${op.action})` };
        }
        if (this.membership.knownValid(op.key, op.value)) continue;
        const check = await checkEntry(op.key, op.value, this.meshId);
        if (!check.ok) return { ok: false, reason: `entry ${op.key.slice(0, 12)}: ${check.reason}` };
        fresh.set(op.key, check.entry);
      }
    }
    return this.authorised(fresh);
  }

  /** The changes of a whole document this host lacks (decoding costs ~0.3 ms a change: skip the known ones). */
  private async newIn(full: Uint8Array): Promise<Uint8Array[]> {
    const doc = A.load<unknown>(full);
    const mine = (await this.store.heads('mesh', MEMBERSHIP_DOC_ID)) ?? [];
    return A.getChangesSince(doc, knownHeads(doc, mine));
  }

  /** Each new operation must count in its own past: its author had the right when it made it. */
  private authorised(fresh: Map<string, SignedOp>): GuardVerdict {
    const root = this.root();
    if (fresh.size === 0 || root === undefined) return { ok: true };
    const all = new Map([...this.membership.signedEntries(), ...fresh]);
    for (const [id, entry] of fresh) {
      if (entry.op.kind === 'genesis') {
        if (id !== root) return { ok: false, reason: `entry ${id.slice(0, 12)}: a root other than this mesh’s` };
        continue;
      }
      const past = pastOf(id, all);
      if (!past) continue; // its history has not all arrived: the fold keeps it aside until it does
      const refusal = foldMembership(past, root).rejected.find((r) => r.id === id);
      if (refusal) return { ok: false, reason: `entry ${id.slice(0, 12)} (${entry.op.kind} ${entry.op.peer.slice(-8)} by ${entry.op.by.slice(-8)}): ${refusal.reason}` };
    }
    return { ok: true };
  }
}

/** The operation and every operation in its past, or undefined when some of them are missing. */
function pastOf(id: string, all: Map<string, SignedOp>): Map<string, SignedOp> | undefined {
  const out = new Map<string, SignedOp>();
  const stack = [id];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (out.has(next)) continue;
    const entry = all.get(next);
    if (!entry) return undefined;
    out.set(next, entry);
    stack.push(...entry.op.prev);
  }
  return out;
}
