/**
 * Roles in a team, strongest first. What each may do:
 * - owner: everything in the team, including making and unmaking owners;
 * - admin: grants and changes roles (except owner's), writes;
 * - member: reads and writes the team's documents;
 * - readonly: reads them; its team-scoped writes are refused on every replica;
 * - guest: a member whose grant expires (`expires_at` is required), after which it is nobody.
 * A mesh admin may set any role in any team (it admits hosts to the mesh anyway).
 */
export const TEAM_ROLES = ['owner', 'admin', 'member', 'readonly', 'guest'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];
/** What a role operation may set: a role, or `none` to take the member out of the team. */
export const TEAM_ROLE_CHANGES = [...TEAM_ROLES, 'none'] as const;
export type TeamRoleChange = (typeof TEAM_ROLE_CHANGES)[number];

/** One member's role in one team, as the signed operations make it. */
export interface TeamGrant {
  role: TeamRole;
  /** Epoch ms after which the grant no longer counts (always set for a guest). */
  expires_at: number | null;
  /** Peer that signed the grant, and when (its clock). */
  by: string;
  at: number;
}

/** Roles that write a team's documents. */
export function roleWrites(role: TeamRole): boolean {
  return role !== 'readonly';
}

/** Roles that change other members' roles. */
export function roleManages(role: TeamRole): boolean {
  return role === 'owner' || role === 'admin';
}

/**
 * Is the grant live at `now`, allowing `toleranceMs` of clock difference after its expiry?
 * Checked against the reading replica's own clock, never the fold's: the fold is the same
 * everywhere; expiry is each replica's own judgement (see constants.ts GUEST_EXPIRY_TOLERANCE_MS).
 */
export function grantLive(grant: Pick<TeamGrant, 'expires_at'>, now: number, toleranceMs = 0): boolean {
  return grant.expires_at === null || now <= grant.expires_at + toleranceMs;
}
