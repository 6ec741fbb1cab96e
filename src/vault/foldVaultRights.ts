import { createHash } from 'node:crypto';
import type { AccessLevel, SignedVaultOp } from './vaultOps.js';

/**
 * The merge-time rights rule of a vault, a pure function of its verified operations so every
 * replica reaches the same answer from the same set, whatever order they arrived in:
 *
 * - Operations are considered in (at, id) order; `at` is the author's clock (signers keep it
 *   above every `at` they have seen, so an operation sorts after what its author saw), so it only
 *   orders, it never grants. The creator is admin from the `create` operation, which must hash
 *   with its salt to the vault's id (nobody else can claim to have created it).
 * - A grant, revoke or generation takes effect only if its author is an admin at that point.
 * - A revocation of P names the grants to P its author had seen (`ends`); a grant names the
 *   revocations it means to undo (`overrides`). A grant and a revocation that name neither
 *   are concurrent, and the revocation wins whatever their times: a grant issued concurrently
 *   with (or replayed after) a revocation cannot re-admit.
 * - A revocation names the last operation of P it had seen (`head`); an operation of P dated
 *   before the revocation that is not on P's chain up to `head` was made concurrently or
 *   backdated after it, and is refused (the fold repeats until no more are).
 * - A write takes effect only if its author holds write or admin, unexpired at the write's `at`.
 *   Reads check expiry against the reader's own clock (`hasAccess(…, Date.now())`).
 * - A host removed from the mesh (`removedAt`) counts for nothing from its removal on.
 *
 * Everything refused is returned with its reason, to be reported, not only hidden.
 */
export interface Access {
  level: AccessLevel;
  expires?: number;
  /** The team the grant came through, if any. */
  team?: string;
}
export interface RejectedVaultOp {
  id: string;
  by: string;
  kind: string;
  at: number;
  reason: string;
}
export interface VaultRights {
  members: Map<string, Access>;
  /** Accepted operations with their ids, in fold order. */
  accepted: [string, SignedVaultOp][];
  rejected: RejectedVaultOp[];
  creator: string | undefined;
}

const RANK: Record<AccessLevel, number> = { read: 1, write: 2, admin: 3 };

export function hasAccess(access: Access | undefined, need: AccessLevel, at: number): boolean {
  if (!access) return false;
  if (access.expires !== undefined && at >= access.expires) return false;
  return RANK[access.level] >= RANK[need];
}

/** The id a vault gets from its creator and the salt of its `create` operation. */
export function vaultIdOf(creator: string, salt: string): string {
  return `v-${createHash('sha256').update(`${creator}\n${salt}`).digest('hex').slice(0, 32)}`;
}

export interface FoldOptions {
  /** When a host was removed from the mesh, if it was. */
  removedAt?: (peer: string) => number | undefined;
}

/** Sorted (at, id): the same order on every replica. */
function ordered(ops: ReadonlyMap<string, SignedVaultOp>): [string, SignedVaultOp][] {
  return [...ops].sort(([ia, a], [ib, b]) => a.op.at - b.op.at || (ia < ib ? -1 : ia > ib ? 1 : 0));
}

export function foldVaultRights(ops: ReadonlyMap<string, SignedVaultOp>, options: FoldOptions = {}): VaultRights {
  const sorted = ordered(ops);
  let cut = new Set<string>();
  let result = foldOnce(ops, sorted, cut, options);
  // A revocation's `head` cuts the revoked host's chain; cutting can change which revocations count, so repeat to a fixed point.
  for (let round = 0; round < 8; round += 1) {
    const next = chainCuts(ops, result.accepted);
    if (next.size === cut.size && [...next].every((id) => cut.has(id))) break;
    cut = next;
    result = foldOnce(ops, sorted, cut, options);
  }
  return result;
}

/** Operations of revoked hosts dated before their revocation but not on the chain it saw. */
function chainCuts(ops: ReadonlyMap<string, SignedVaultOp>, accepted: [string, SignedVaultOp][]): Set<string> {
  const cut = new Set<string>();
  for (const [, r] of accepted) {
    if (r.op.kind !== 'revoke') continue;
    const { peer, head, at } = r.op;
    const chain = new Set<string>();
    for (let id: string | null = head; id !== null && !chain.has(id); ) {
      chain.add(id);
      const e = ops.get(id);
      id = e && e.op.by === peer ? e.op.prev : null;
    }
    for (const [id, e] of ops) if (e.op.by === peer && e.op.at <= at && !chain.has(id)) cut.add(id);
  }
  return cut;
}

function foldOnce(ops: ReadonlyMap<string, SignedVaultOp>, sorted: [string, SignedVaultOp][], cut: Set<string>, options: FoldOptions): VaultRights {
  const members = new Map<string, Access>();
  const accepted: [string, SignedVaultOp][] = [];
  const rejected: RejectedVaultOp[] = [];
  const reject = (id: string, e: SignedVaultOp, reason: string): void => void rejected.push({ id, by: e.op.by, kind: e.op.kind, at: e.op.at, reason });

  const first = sorted.find(([, e]) => e.op.kind === 'create' && vaultIdOf(e.op.by, e.op.salt) === e.op.vault);
  const creator = first?.[1].op.by;
  const revocationsOf = new Map<string, Set<string>>();

  for (const [id, e] of sorted) {
    const op = e.op;
    const removed = options.removedAt?.(op.by);
    if (removed !== undefined && op.at >= removed) {
      reject(id, e, 'its author was removed from the mesh');
      continue;
    }
    if (cut.has(id)) {
      reject(id, e, 'made concurrently with (or backdated before) its author’s revocation');
      continue;
    }
    if (op.kind === 'create') {
      if (id !== first?.[0]) reject(id, e, vaultIdOf(op.by, op.salt) === op.vault ? 'a second create' : 'a create that does not hash to the vault id');
      else {
        members.set(op.by, { level: 'admin' });
        accepted.push([id, e]);
      }
      continue;
    }
    if (!first) {
      reject(id, e, 'the vault has no valid create');
      continue;
    }
    const authorAccess = members.get(op.by);
    if (op.kind === 'grant' || op.kind === 'revoke' || op.kind === 'generation') {
      if (!hasAccess(authorAccess, 'admin', op.at)) {
        reject(id, e, authorAccess ? (authorAccess.expires !== undefined && op.at >= authorAccess.expires ? 'grant expired' : 'not an admin of the vault') : 'not a member of the vault (or revoked)');
        continue;
      }
      if (op.kind === 'revoke') {
        members.delete(op.peer);
        const set = revocationsOf.get(op.peer) ?? new Set<string>();
        set.add(id);
        revocationsOf.set(op.peer, set);
      } else if (op.kind === 'grant') {
        // Revocations of the peer already in effect, or by someone who is an admin at this point (a later-dated one included).
        const revocations = sorted
          .filter(([rid, r]) => r.op.kind === 'revoke' && r.op.peer === op.peer && !cut.has(rid) && (revocationsOf.get(op.peer)?.has(rid) || hasAccess(members.get(r.op.by), 'admin', op.at)))
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
        const removedPeer = options.removedAt?.(op.peer);
        if (removedPeer !== undefined && op.at >= removedPeer) {
          reject(id, e, 'grants to a host removed from the mesh');
          continue;
        }
        members.set(op.peer, { level: op.level, ...(op.expires !== undefined ? { expires: op.expires } : {}), ...(op.team !== undefined ? { team: op.team } : {}) });
      }
      accepted.push([id, e]);
      continue;
    }
    // write
    if (!authorAccess) reject(id, e, 'not a member of the vault (or revoked)');
    else if (authorAccess.expires !== undefined && op.at >= authorAccess.expires) reject(id, e, 'grant expired');
    else if (!hasAccess(authorAccess, 'write', op.at)) reject(id, e, 'read-only member writing');
    else accepted.push([id, e]);
  }
  // Removed from the mesh: no access, whatever its grants said.
  for (const peer of [...members.keys()]) if (options.removedAt?.(peer) !== undefined) members.delete(peer);
  return { members, accepted, rejected, creator };
}
