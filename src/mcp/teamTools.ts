import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { EmptyInput } from '../domain/memorySchemas.js';
import type { ModeState } from '../teams/modes.js';
import { AddTeamMemberInput, CreateTeamInput, GetTeamInput, ListTeamsInput, RemoveTeamMemberInput, SetModeInput, TeamActivityInput } from '../teams/teamSchemas.js';
import type { DaemonLink } from './DaemonLink.js';
import { groupEnablerOf } from './groupEnabler.js';
import { guarded, ok } from './results.js';
import { sessionModeOf } from './sessionMode.js';

interface TeamMember {
  peer: string;
  name: string;
  role: string;
  expires_at: string | null;
  expired: boolean;
}
interface TeamView {
  team: string;
  my_role: string | null;
  can_write: boolean;
  members: TeamMember[];
}

const ModeOut = z.looseObject({ mode: z.string(), team: z.string().optional(), vault: z.string().optional() });
const TeamOut = z.looseObject({ team: z.string(), my_role: z.string().nullable(), members: z.array(z.looseObject({ peer: z.string(), name: z.string(), role: z.string() })) });
const TeamsOut = z.looseObject({ teams: z.array(z.looseObject({ team: z.string(), members: z.number(), my_role: z.string().nullable() })) });
const ActivityOut = z.looseObject({ team: z.string(), writes: z.array(z.looseObject({ id: z.string() })), membership: z.array(z.looseObject({ role: z.string() })) });
const ModesOut = z.looseObject({ modes: z.array(z.looseObject({ mode: z.string(), description: z.string() })), current: z.string() });

const write = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const read = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

function memberLine(m: TeamMember): string {
  return `- ${m.name} (${m.peer.slice(-8)}): ${m.role}${m.expires_at ? `, until ${m.expires_at}${m.expired ? ' (expired)' : ''}` : ''}`;
}

function teamText(t: TeamView): string {
  return `Team ${t.team}: ${t.members.length} member(s); this host is ${t.my_role ?? 'not a member'}.\n${t.members.map(memberLine).join('\n')}`;
}

function modeText(m: ModeState): string {
  return `Mode ${m.mode}${m.team ? ` (team ${m.team})` : ''}${m.vault ? ` (vault ${m.vault})` : ''}.`;
}

/** The teams group: teams with roles, and the session's operating mode. */
export function registerTeamTools(server: McpServer, link: DaemonLink): void {
  const mode = sessionModeOf(link);

  server.registerTool(
    'get_mode',
    { title: 'Get the session mode', description: 'This session\'s operating mode: mesh (writes reach every host), solo (writes stay on this host), team (writes stay in one team) or vault (vault tools with a default vault).', inputSchema: EmptyInput, outputSchema: ModeOut, annotations: read },
    guarded(async () => {
      const m = await mode.get();
      return ok(modeText(m), { ...m });
    }),
  );
  server.registerTool(
    'set_mode',
    { title: 'Set the session mode', description: 'Change what this session\'s writes share: solo (this host only), team (one team this host writes in; give team when it has several), vault (opens the vault tools with this vault as their default), or mesh. Lasts for this session.', inputSchema: SetModeInput, outputSchema: ModeOut, annotations: { ...write, idempotentHint: true } },
    guarded(async (args) => {
      const checked = await link.call('mode.check', args);
      mode.set(checked);
      let note = '';
      if (checked.mode === 'vault') {
        const added = groupEnablerOf(server)?.('vault');
        if (added) server.sendToolListChanged();
        note = added === undefined ? ' The vault tools are not in this build; the vault context is kept for when they are.' : ' The vault tools are enabled.';
      }
      return ok(`${modeText(checked)}${note}`, { ...checked });
    }),
  );
  server.registerTool(
    'list_available_modes',
    { title: 'List modes', description: 'The operating modes a session can be in, what each does to writes, and the current one.', inputSchema: EmptyInput, outputSchema: ModesOut, annotations: read },
    guarded(async () => {
      const r = await link.call('mode.list', {});
      const current = (await mode.get()).mode;
      return ok(r.modes.map((m) => `- ${m.mode}${m.mode === current ? ' (current)' : ''}: ${m.description}`).join('\n'), { ...r, current });
    }),
  );
  server.registerTool(
    'create_team',
    { title: 'Create a team', description: 'Create a team with this host as its owner. Its owner and admins then add members with roles.', inputSchema: CreateTeamInput, outputSchema: TeamOut, annotations: write },
    guarded(async (args) => {
      const t = await link.call('team.create', args);
      return ok(`Created. ${teamText(t)}`, { ...t });
    }),
  );
  server.registerTool(
    'list_teams',
    { title: 'List teams', description: 'Every team in the mesh, its size and this host\'s role in it.', inputSchema: ListTeamsInput, outputSchema: TeamsOut, annotations: read },
    guarded(async (args) => {
      const r = await link.call('team.list', args);
      return ok(r.teams.length ? r.teams.map((t) => `- ${t.team}: ${t.members} member(s)${t.my_role ? `, this host is ${t.my_role}` : ''}`).join('\n') : 'No teams yet (create_team).', { ...r });
    }),
  );
  server.registerTool(
    'get_team',
    { title: 'Get a team', description: 'A team\'s members with their roles (owner, admin, member, readonly, guest) and guests\' expiry.', inputSchema: GetTeamInput, outputSchema: TeamOut, annotations: read },
    guarded(async (args) => {
      const t = await link.call('team.get', args);
      return ok(teamText(t), { ...t });
    }),
  );
  server.registerTool(
    'add_team_member',
    { title: 'Add a team member', description: 'Give a mesh host a role in a team, or change its role (owners and admins of the team, or mesh admins). Guests expire (expires_at, default a week).', inputSchema: AddTeamMemberInput, outputSchema: TeamOut, annotations: write },
    guarded(async (args) => {
      const t = await link.call('team.add', args);
      return ok(`Done. ${teamText(t)}`, { ...t });
    }),
  );
  server.registerTool(
    'remove_team_member',
    { title: 'Remove a team member', description: 'Take a host out of a team (owners and admins of the team, or mesh admins). It stops receiving the team\'s new documents.', inputSchema: RemoveTeamMemberInput, outputSchema: z.looseObject({ team: z.string(), removed: z.string() }), annotations: { ...write, destructiveHint: true } },
    guarded(async (args) => {
      const r = await link.call('team.remove', args);
      return ok(`Removed ${r.removed} from team ${r.team}.`, { ...r });
    }),
  );
  server.registerTool(
    'get_team_activity',
    { title: 'Team activity', description: 'Recent team-scoped writes of a team and its membership changes (counted or refused, with the reason).', inputSchema: TeamActivityInput, outputSchema: ActivityOut, annotations: read },
    guarded(async (args) => {
      const r = await link.call('team.activity', args);
      const writes = r.writes.map((w) => `- ${w.at} ${w.machine}: ${w.preview} [${w.id}]`);
      const changes = r.membership.map((m) => `- ${m.at} ${m.by} set ${m.member} to ${m.role}${m.counted ? '' : ` (refused: ${m.refused ?? ''})`}`);
      return ok(`Team ${r.team}\nWrites:\n${writes.join('\n') || '(none)'}\nMembership:\n${changes.join('\n') || '(none)'}`, { ...r });
    }),
  );
}
