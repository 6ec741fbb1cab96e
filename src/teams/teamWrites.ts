import { InvalidInputError, MeshError } from '../errors.js';
import type { Membership } from '../mesh/Membership.js';
import { roleWrites } from './roles.js';

/**
 * This host's own team-scoped writes, checked before they are made, by the rule every replica
 * applies on merge (TeamWriteGuard): a write no replica would accept is refused here, with a
 * reason, rather than stored and rejected everywhere. Returns the team the write belongs to:
 * the one named, or this host's only team it writes in.
 */
export function teamWriteCheck(membership: Pick<Membership, 'mode' | 'teamsOf' | 'teamRole'>, self: string, now: () => number = Date.now): (team: string | undefined) => string | undefined {
  return (team) => {
    // Unsigned membership knows no roles: team scope is the config's claim, as before.
    if (membership.mode !== 'signed') return team;
    const at = now();
    if (team === undefined) {
      const live = membership.teamsOf(self, at);
      const writable = live.filter((t) => roleWrites(membership.teamRole(self, t, at)!));
      if (writable.length === 1) return writable[0];
      if (writable.length > 1) throw new InvalidInputError(`name the team (team: one of ${writable.join(', ')})`, { teams: writable });
      if (live.length > 0) throw new MeshError('NOT_AUTHORISED', `this host only reads its teams (${live.join(', ')}); a readonly member's team writes are refused by every host`);
      return undefined; // in no team: the memory stays on this host, as team scope always did
    }
    const role = membership.teamRole(self, team, at);
    if (role === undefined) throw new MeshError('NOT_AUTHORISED', `this host is not in team ${team} (or its guest grant has expired); a team's owner or admin grants it`, { team });
    if (!roleWrites(role)) throw new MeshError('NOT_AUTHORISED', `this host is ${role} in team ${team}: its team writes are refused by every host`, { team, role });
    return team;
  };
}
