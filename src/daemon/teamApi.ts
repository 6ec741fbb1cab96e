import type { MeshConfig } from '../config/MeshConfig.js';
import type { MemoryService } from '../domain/MemoryService.js';
import { EmptyInput } from '../domain/memorySchemas.js';
import { InvalidInputError, MeshError } from '../errors.js';
import type { Replicator } from '../sync/Replicator.js';
import { DEFAULT_GUEST_TTL_MS, DEFAULT_TEAM_ACTIVITY, GUEST_EXPIRY_TOLERANCE_MS, TEAM_ACTIVITY_SCAN } from '../teams/constants.js';
import { MODE_DESCRIPTIONS, MODES, type ModeState } from '../teams/modes.js';
import { grantLive, roleWrites } from '../teams/roles.js';
import { AddTeamMemberInput, CreateTeamInput, GetTeamInput, ListTeamsInput, RemoveTeamMemberInput, SetModeInput, TeamActivityInput } from '../teams/teamSchemas.js';
import { method, methods } from './method.js';

export interface TeamApiDeps {
  replication: () => Replicator;
  memories: MemoryService;
  defaultMode: () => MeshConfig['mode'];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * The socket API of teams (team.*) and of session modes (mode.*). Every role change is a signed
 * membership operation (Membership.setTeam), checked by this host before it is stored and by every
 * replica where it is folded; reads come from the verified fold.
 */
export function buildTeamApi({ replication, memories, defaultMode }: TeamApiDeps) {
  const teamView = (team: string) => {
    const r = replication();
    const m = r.membership;
    const now = Date.now();
    const members = m
      .list()
      .filter(([peer]) => m.teamGrant(peer, team))
      .map(([peer, rec]) => {
        const g = m.teamGrant(peer, team)!;
        return { peer, name: rec.name, role: g.role, expires_at: iso(g.expires_at), expired: !grantLive(g, now, GUEST_EXPIRY_TOLERANCE_MS), granted_by: g.by, granted_at: iso(g.at), self: peer === r.peerId };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    if (members.length === 0) throw new MeshError('NOT_FOUND', `no team ${team} (create_team makes it, with this host as its owner)`, { team });
    const mine = m.teamRole(r.peerId, team, now);
    return { team, my_role: mine ?? null, can_write: mine !== undefined && roleWrites(mine), members };
  };

  return methods({
    'team.create': method(CreateTeamInput, async ({ team }) => {
      const r = replication();
      if (r.membership.teamNames().includes(team)) throw new MeshError('INVALID_INPUT', `team ${team} exists; its owner or an admin adds members (add_team_member)`, { team });
      await r.setTeam(r.peerId, team, 'owner');
      return teamView(team);
    }),
    'team.list': method(ListTeamsInput, () => {
      const r = replication();
      const now = Date.now();
      const teams = r.membership.teamNames().map((team) => {
        const holders = r.membership.list().filter(([peer]) => r.membership.teamGrant(peer, team));
        return { team, members: holders.length, my_role: r.membership.teamRole(r.peerId, team, now) ?? null };
      });
      return { teams };
    }),
    'team.get': method(GetTeamInput, ({ team }) => teamView(team)),
    'team.add': method(AddTeamMemberInput, async ({ team, member, role = 'member', expires_at }) => {
      if (expires_at !== undefined && role !== 'guest') throw new InvalidInputError('expires_at is for guests only (other roles do not expire)');
      const expires = role === 'guest' ? (expires_at !== undefined ? Date.parse(expires_at) : Date.now() + DEFAULT_GUEST_TTL_MS) : undefined;
      const r = replication();
      await r.setTeam(r.resolvePeer(member), team, role, expires);
      return teamView(team);
    }),
    'team.remove': method(RemoveTeamMemberInput, async ({ team, member }) => {
      const r = replication();
      const peer = r.resolvePeer(member);
      if (!r.membership.teamGrant(peer, team)) throw new MeshError('NOT_FOUND', `${member} is not in team ${team}`, { team, member });
      await r.setTeam(peer, team, 'none');
      return { team, removed: peer };
    }),
    'team.activity': method(TeamActivityInput, async ({ team, hours = 168, limit = DEFAULT_TEAM_ACTIVITY }) => {
      const r = replication();
      const since = Date.now() - hours * 3_600_000;
      const names = (peer: string) => r.membership.get(peer)?.name ?? peer;
      const membership = r.membership
        .teamHistory(team)
        .filter((h) => h.at >= since)
        .slice(0, limit)
        .map((h) => ({ at: iso(h.at), by: names(h.by), member: names(h.peer), role: h.role, expires_at: iso(h.expires_at), counted: h.refused === null, ...(h.refused ? { refused: h.refused } : {}) }));
      const writes = (await memories.listLive({ since }, TEAM_ACTIVITY_SCAN))
        .filter((mem) => mem.scope === 'team' && mem.team === team)
        .slice(0, limit)
        .map((mem) => ({ id: mem.id, at: mem.updated_at, machine: mem.machine, agent: mem.updated_by, category: mem.category, preview: mem.content.slice(0, 120) }));
      return { team, since: iso(since), writes, membership };
    }),
    'mode.default': method(EmptyInput, () => {
      const d = defaultMode();
      return { mode: d.default, ...(d.team ? { team: d.team } : {}), ...(d.vault ? { vault: d.vault } : {}) } satisfies ModeState;
    }),
    'mode.list': method(EmptyInput, () => ({ modes: MODES.map((mode) => ({ mode, description: MODE_DESCRIPTIONS[mode] })), default: defaultMode().default })),
    /** Checks a mode a session asks for against this host's membership; answers the mode as it will hold. */
    'mode.check': method(SetModeInput, ({ mode, team, vault }) => {
      if (mode === 'team') {
        const r = replication();
        const now = Date.now();
        const writable = r.membership.teamsOf(r.peerId, now).filter((t) => roleWrites(r.membership.teamRole(r.peerId, t, now)!));
        const chosen = team ?? (writable.length === 1 ? writable[0] : undefined);
        if (chosen === undefined) throw new InvalidInputError(writable.length === 0 ? 'this host writes in no team: a team owner or admin adds it (add_team_member), or create_team' : `name the team: one of ${writable.join(', ')}`, { teams: writable });
        if (!writable.includes(chosen)) {
          const role = r.membership.teamRole(r.peerId, chosen, now);
          throw new MeshError('NOT_AUTHORISED', role ? `this host is ${role} in team ${chosen}: it cannot write there` : `this host is not in team ${chosen}`, { team: chosen });
        }
        return { mode, team: chosen } satisfies ModeState;
      }
      if (mode === 'vault') {
        const v = vault ?? defaultMode().vault;
        if (v === undefined) throw new InvalidInputError('vault mode needs a vault (vault: its name)');
        return { mode, vault: v } satisfies ModeState;
      }
      if (team !== undefined || vault !== undefined) throw new InvalidInputError(`${mode} mode takes no team or vault`);
      return { mode } satisfies ModeState;
    }),
  });
}
