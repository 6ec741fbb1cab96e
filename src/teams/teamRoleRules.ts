import { MAX_GUEST_TTL_MS } from './constants.js';
import { grantLive, roleManages, type TeamGrant, type TeamRoleChange } from './roles.js';

/** What the membership fold knows when it judges one signed role change in a team. */
export interface RoleChange {
  team: string;
  by: string;
  peer: string;
  role: TeamRoleChange;
  expires_at: number | undefined;
  /** The operation's claimed time (its author's clock). */
  at: number;
  authorIsMeshAdmin: boolean;
  /** Every current member's grant in this team (removed members excluded). */
  grants: ReadonlyMap<string, TeamGrant>;
}

/**
 * Why a role change does not count, or null when it does. The same on every replica (it reads
 * only the fold's state and the operation), so every host refuses the same operations:
 * - a mesh admin sets any role; an owner of the team sets any role;
 * - an admin of the team sets any role but owner, and never changes an owner's role;
 * - a member creates a team nobody holds by making itself its owner; nobody else changes roles;
 * - a guest's grant names its end (`expires_at`, at most MAX_GUEST_TTL_MS after the grant);
 *   no other role expires;
 * - no change leaves a team that has members without an owner, unless a mesh admin makes it.
 * An author's own grant counts only while live at the operation's time (an expired guest manages nothing).
 */
export function judgeRoleChange(c: RoleChange): string | null {
  if (c.role === 'guest') {
    if (c.expires_at === undefined) return 'a guest grant must say when it expires (expires_at)';
    if (c.expires_at <= c.at) return 'a guest grant that has already expired';
    if (c.expires_at > c.at + MAX_GUEST_TTL_MS) return 'a guest grant longer than the longest allowed; make it a member';
  } else if (c.expires_at !== undefined) return 'only guest grants expire';

  const mine = c.grants.get(c.by);
  const authorRole = mine && grantLive(mine, c.at) ? mine.role : undefined;
  const target = c.grants.get(c.peer);
  const empty = c.grants.size === 0;
  if (!c.authorIsMeshAdmin) {
    const creating = empty && c.peer === c.by && c.role === 'owner';
    if (!creating) {
      if (authorRole === undefined || !roleManages(authorRole)) return `only an owner or admin of team ${c.team}, or a mesh admin, changes roles in it`;
      if (authorRole === 'admin' && (c.role === 'owner' || target?.role === 'owner')) return `only an owner of team ${c.team} (or a mesh admin) makes or changes an owner`;
    }
    if (target?.role === 'owner' && c.role !== 'owner') {
      const owners = [...c.grants.values()].filter((g) => g.role === 'owner').length;
      const emptied = c.role === 'none' && c.grants.size === 1;
      if (owners <= 1 && !emptied) return `would leave team ${c.team} without an owner`;
    }
  }
  return null;
}
