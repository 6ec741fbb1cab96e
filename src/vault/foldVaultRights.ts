import type { AccessLevel, SignedVaultOp } from './vaultOps.js';

/**
 * The merge-time rights rule of a vault, a pure function of its verified operations so every
 * replica reaches the same answer from the same set, whatever order they arrived in:
 *
 * - Operations are considered in (at, id) order; `at` is the author's clock, so it only orders,
 *   it never grants. The creator is admin from the `create` operation.
 * - A grant or revoke takes effect only if its author is an admin at that point.
 * - A revocation of P names the grants to P its author had seen (`ends`); a grant names the
 *   revocations it means to undo (`overrides`). A grant and a revocation that name neither
 *   are concurrent, and the revocation wins whatever their times: a grant issued concurrently
 *   with (or replayed after) a revocation cannot re-admit.
 * - A write takes effect only if its author holds write or admin, unexpired at the write's `at`.
 *   Reads check expiry against the reader's own clock (`hasAccess(…, Date.now())`).
 *
 * Everything refused is returned with its reason, to be reported, not only hidden.
 */
export interface Access {
  level: AccessLevel;
  expires?: number;
}
export interface VaultRights {
  members: Map<string, Access>;
  accepted: SignedVaultOp[];
  rejected: { id: string; by: string; kind: string; reason: string }[];
}

const RANK: Record<AccessLevel, number> = { read: 1, write: 2, admin: 3 };

export function hasAccess(access: Access | undefined, need: AccessLevel, at: number): boolean {
  if (!access) return false;
  if (access.expires !== undefined && at >= access.expires) return false;
  return RANK[access.level] >= RANK[need];
}

export function foldVaultRights(ops: ReadonlyMap<string, SignedVaultOp>): VaultRights {
  const sorted = [...ops].sort(([ia, a], [ib, b]) => a.op.at - b.op.at || (ia < ib ? -1 : ia > ib ? 1 : 0));
  const members = new Map<string, Access>();
  const accepted: SignedVaultOp[] = [];
  const rejected: VaultRights['rejected'] = [];
  const reject = (id: string, e: SignedVaultOp, reason: string): void => void rejected.push({ id, by: e.op.by, kind: e.op.kind, reason });

  const creates = sorted.filter(([, e]) => e.op.kind === 'create');
  const creator = creates[0]?.[1].op.by;
  // Revocations by admins, found in a first pass so a later-dated grant that does not override them still loses.
  const revocationsOf = new Map<string, Set<string>>();

  for (const [id, e] of sorted) {
    const op = e.op;
    if (op.kind === 'create') {
      if (op.by !== creator || id !== creates[0]![0]) reject(id, e, 'a second create');
      else {
        members.set(op.by, { level: 'admin' });
        accepted.push(e);
      }
      continue;
    }
    const authorAccess = members.get(op.by);
    if (op.kind === 'grant' || op.kind === 'revoke') {
      if (!hasAccess(authorAccess, 'admin', op.at)) {
        reject(id, e, authorAccess ? 'not an admin of the vault' : 'not a member of the vault');
        continue;
      }
      if (op.kind === 'revoke') {
        members.delete(op.peer);
        const set = revocationsOf.get(op.peer) ?? new Set<string>();
        set.add(id);
        revocationsOf.set(op.peer, set);
      } else {
        // Revocations of the peer already in effect, or by someone who is an admin at this point (a later-dated one included).
        const revocations = sorted
          .filter(([rid, r]) => r.op.kind === 'revoke' && r.op.peer === op.peer && (revocationsOf.get(op.peer)?.has(rid) || hasAccess(members.get(r.op.by), 'admin', op.at)))
          .map(([rid]) => rid);
        // A revocation that names this grant in `ends` came after it (the grant stood until then); one that does not, and that the grant does not override, was concurrent or later and wins.
        const unanswered = revocations.filter((rid) => {
          const r = ops.get(rid)!.op;
          return !op.overrides.includes(rid) && !(r.kind === 'revoke' && r.ends.includes(id));
        });
        if (unanswered.length > 0) {
          reject(id, e, 'a revocation it does not override wins');
          continue;
        }
        members.set(op.peer, op.expires === undefined ? { level: op.level } : { level: op.level, expires: op.expires });
      }
      accepted.push(e);
      continue;
    }
    // write
    if (!authorAccess) reject(id, e, 'not a member of the vault (or revoked)');
    else if (authorAccess.expires !== undefined && op.at >= authorAccess.expires) reject(id, e, 'grant expired');
    else if (!hasAccess(authorAccess, 'write', op.at)) reject(id, e, 'read-only member writing');
    else accepted.push(e);
  }
  return { members, accepted, rejected };
}
