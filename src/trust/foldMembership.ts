import { FOLD_MAX_ROUNDS, MAX_OP_PARENTS } from './constants.js';
import type { TeamGrant } from '../teams/roles.js';
import { judgeRoleChange } from '../teams/teamRoleRules.js';
import type { MembershipOp, SignedOp } from './membershipOps.js';

/** One member as the verified operations make it. */
export interface MemberState {
  name: string;
  addrs: string[];
  /** The Automerge actor id this host signed as its own (authorship binds changes to it). */
  actor: string | null;
  /** The X25519 box public key (base64) this host published for vaults, by its own signed update. */
  box?: string;
  admin: boolean;
  /** Team → grant; a role is set by a mesh admin or an owner/admin of that team, never claimed (teams/teamRoleRules.ts). */
  teams: Record<string, TeamGrant>;
  added_by: string;
  added_at: number;
  removed: boolean;
  removed_at: number | null;
}

/** An operation that is well signed but did not count, and why (shown by `mesh status`). */
export interface RejectedOp {
  id: string;
  kind: string;
  by: string;
  peer: string;
  at: number;
  reason: string;
}

export interface MembershipFold {
  members: Map<string, MemberState>;
  /** Counted operations no other counted operation names as parent: the `prev` of the next one. */
  heads: string[];
  rejected: RejectedOp[];
  /** Operations that counted. */
  applied: number;
}

type Verdict = string | null;

/**
 * Folds the signed membership graph into the members' state, the same on every host holding the
 * same operations. Rules (each checked against the state the fold has reached):
 * - the root (genesis) names the mesh's creator, its first admin; no other genesis counts;
 * - only admins add, remove and make admins; nobody removes itself or the last admin;
 * - a host changes only its own name, addresses and actor id (an actor id already bound to
 *   another member is refused);
 * - a mesh admin or an owner/admin of a team sets roles in that team; a member creates a team
 *   nobody holds by making itself its owner (teams/teamRoleRules.ts has the full rule);
 * - removal is final: an add counts for a removed peer only if it has the removal in its past
 *   (an admin saw the removal and re-admitted it); an add concurrent with a removal loses;
 * - a removed member's operations count only if they are in its removal's past: ones made
 *   concurrently (or backdated) are discarded.
 * Operations are applied parents first, ties broken by (removals first, by their author's
 * seniority; then time, then id), so concurrent branches fold in one order everywhere. The last two rules depend on which removals count, so
 * the fold repeats until that set stops changing.
 */
export function foldMembership(entries: ReadonlyMap<string, SignedOp>, root: string | undefined): MembershipFold {
  const ops = new Map<string, MembershipOp>();
  const rejected: RejectedOp[] = [];
  const reject = (id: string, op: MembershipOp, reason: string) => rejected.push({ id, kind: op.kind, by: op.by, peer: op.peer, at: op.at, reason });

  for (const [id, { op }] of entries) {
    if (op.kind === 'genesis') {
      if (root === undefined || id !== root) reject(id, op, 'a root other than this mesh’s');
      else if (op.prev.length > 0 || op.peer !== op.by) reject(id, op, 'malformed root');
      else ops.set(id, op);
    } else if (op.prev.length === 0) reject(id, op, 'names no parent');
    else ops.set(id, op);
  }
  // An operation whose parents are missing or refused waits outside the fold (and so do its descendants).
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, op] of ops) {
      const missing = op.prev.find((p) => !ops.has(p));
      if (missing === undefined) continue;
      ops.delete(id);
      reject(id, op, entries.has(missing) ? 'descends from a refused operation' : 'its history has not arrived');
      changed = true;
    }
  }

  const order = topologicalOrder(ops);
  const isAncestor = ancestry(ops);
  let removals = new Map<string, Set<string>>();
  let result: ReturnType<typeof foldOnce> | undefined;
  for (let round = 0; round < FOLD_MAX_ROUNDS; round++) {
    result = foldOnce(order, ops, removals, isAncestor);
    if (sameRemovals(result.removals, removals)) break;
    removals = result.removals;
  }
  const { members, applied, refused } = result!;
  for (const [id, reason] of refused) reject(id, ops.get(id)!, reason);

  // Heads: counted operations that no counted operation names, newest first when there are too many.
  const named = new Set<string>();
  for (const id of applied) for (const p of ops.get(id)!.prev) named.add(p);
  const heads = [...applied]
    .filter((id) => !named.has(id))
    .sort((a, b) => ops.get(b)!.at - ops.get(a)!.at || a.localeCompare(b))
    .slice(0, MAX_OP_PARENTS);
  return { members, heads, rejected, applied: applied.size };
}

function foldOnce(order: string[], ops: Map<string, MembershipOp>, removals: Map<string, Set<string>>, isAncestor: (a: string, b: string) => boolean) {
  const members = new Map<string, MemberState>();
  const applied = new Set<string>();
  const refused = new Map<string, string>();
  const counted = new Map<string, Set<string>>();
  const admins = () => [...members.values()].filter((m) => m.admin && !m.removed).length;
  const concurrent = (a: string, b: string) => a !== b && !isAncestor(a, b) && !isAncestor(b, a);

  const apply = (id: string, op: MembershipOp): Verdict => {
    if (op.kind === 'genesis') {
      members.set(op.peer, { name: op.name, addrs: op.addrs, actor: op.actor ?? null, admin: true, teams: {}, added_by: op.by, added_at: op.at, removed: false, removed_at: null });
      return null;
    }
    const author = members.get(op.by);
    if (!author || author.removed) return 'its author is not a member';
    for (const r of removals.get(op.by) ?? []) if (concurrent(id, r)) return 'made concurrently with (or backdated before) its author’s removal';
    const target = members.get(op.peer);
    switch (op.kind) {
      case 'add': {
        if (!author.admin) return 'only an admin adds members';
        if (target && !target.removed) return 'already a member';
        for (const r of removals.get(op.peer) ?? []) if (concurrent(id, r)) return 'concurrent with this peer’s removal (removal wins)';
        members.set(op.peer, { name: op.name, addrs: op.addrs, actor: target?.actor ?? null, ...(target?.box ? { box: target.box } : {}), admin: false, teams: {}, added_by: op.by, added_at: op.at, removed: false, removed_at: null });
        return null;
      }
      case 'remove': {
        if (!author.admin) return 'only an admin removes members';
        if (!target || target.removed) return 'not a member';
        if (op.peer === op.by) return 'a member cannot remove itself';
        if (target.admin && admins() <= 1) return 'would leave the mesh without an admin';
        target.removed = true;
        target.removed_at = op.at;
        let set = counted.get(op.peer);
        if (!set) counted.set(op.peer, (set = new Set()));
        set.add(id);
        return null;
      }
      case 'update': {
        if (op.peer !== op.by) return 'a host changes only its own record';
        if (op.actor !== undefined && op.actor !== author.actor) {
          for (const [peer, m] of members) if (peer !== op.by && m.actor === op.actor) return 'actor id already bound to another member';
          author.actor = op.actor;
        }
        author.name = op.name;
        author.addrs = op.addrs;
        if (op.box !== undefined) author.box = op.box;
        return null;
      }
      case 'admin': {
        if (!author.admin) return 'only an admin grants or revokes admin';
        if (!target || target.removed) return 'not a member';
        if (!op.admin && target.admin && admins() <= 1) return 'would leave the mesh without an admin';
        target.admin = op.admin;
        return null;
      }
      case 'team': {
        if (!target || target.removed) return 'not a member';
        const grants = new Map<string, TeamGrant>();
        for (const [peer, m] of members) if (!m.removed && m.teams[op.team]) grants.set(peer, m.teams[op.team]!);
        const refusal = judgeRoleChange({ team: op.team, by: op.by, peer: op.peer, role: op.role, expires_at: op.expires_at, at: op.at, authorIsMeshAdmin: author.admin, grants });
        if (refusal) return refusal;
        if (op.role === 'none') delete target.teams[op.team];
        else target.teams[op.team] = { role: op.role, expires_at: op.expires_at ?? null, by: op.by, at: op.at };
        return null;
      }
    }
  };

  for (const id of order) {
    const op = ops.get(id)!;
    const reason = apply(id, op);
    if (reason === null) applied.add(id);
    else refused.set(id, reason);
  }
  return { members, applied, refused, removals: counted };
}

/**
 * Parents before children. Among operations ready together, removals go first, the most senior
 * author's first (admitted earliest: the creator before everyone), so two admins removing each
 * other concurrently resolve to the senior one, whatever times they claim; then by time, then id.
 */
function topologicalOrder(ops: Map<string, MembershipOp>): string[] {
  const children = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const [id, op] of ops) {
    const parents = new Set(op.prev);
    waiting.set(id, parents.size);
    for (const p of parents) {
      let list = children.get(p);
      if (!list) children.set(p, (list = []));
      list.push(id);
    }
  }
  const admitted = new Map<string, number>();
  const rank = (id: string): number[] => {
    const op = ops.get(id)!;
    return op.kind === 'remove' ? [0, admitted.get(op.by) ?? Number.MAX_SAFE_INTEGER, op.at] : [1, 0, op.at];
  };
  const before = (a: string, b: string) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0]! - rb[0]! || ra[1]! - rb[1]! || ra[2]! - rb[2]! || a.localeCompare(b);
  };
  const ready = [...waiting].filter(([, n]) => n === 0).map(([id]) => id);
  const out: string[] = [];
  while (ready.length > 0) {
    ready.sort(before);
    const id = ready.shift()!;
    const op = ops.get(id)!;
    if ((op.kind === 'genesis' || op.kind === 'add') && !admitted.has(op.peer)) admitted.set(op.peer, out.length);
    out.push(id);
    for (const child of children.get(id) ?? []) {
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  return out;
}

/** `isAncestor(a, b)`: is `a` in `b`'s past? Answered by walking `b`'s parents, remembered per `b`. */
function ancestry(ops: Map<string, MembershipOp>): (a: string, b: string) => boolean {
  const pasts = new Map<string, Set<string>>();
  return (a, b) => {
    let past = pasts.get(b);
    if (!past) {
      past = new Set();
      const stack = [...(ops.get(b)?.prev ?? [])];
      while (stack.length > 0) {
        const p = stack.pop()!;
        if (past.has(p)) continue;
        past.add(p);
        stack.push(...(ops.get(p)?.prev ?? []));
      }
      pasts.set(b, past);
    }
    return past.has(a);
  };
}

function sameRemovals(a: Map<string, Set<string>>, b: Map<string, Set<string>>): boolean {
  if (a.size !== b.size) return false;
  for (const [peer, set] of a) {
    const other = b.get(peer);
    if (!other || other.size !== set.size || [...set].some((x) => !other.has(x))) return false;
  }
  return true;
}
