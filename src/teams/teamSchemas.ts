import { z } from 'zod';
import { MAX_TEAM_ACTIVITY } from './constants.js';
import { MODES } from './modes.js';
import { TEAM_ROLES } from './roles.js';

/** Inputs of the team tools, CLI and socket methods: every door validates the same way. */
export const TeamName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a team name is letters, digits, dot, dash and underscore, starting with a letter or digit')
  .describe('Team name, e.g. "ops".');
const Member = z.string().min(1).max(200).describe('The member host: its name or peer id.');

export const CreateTeamInput = z.object({ team: TeamName });
export const GetTeamInput = z.object({ team: TeamName });
export const ListTeamsInput = z.object({});
export const AddTeamMemberInput = z.object({
  team: TeamName,
  member: Member,
  role: z.enum(TEAM_ROLES).optional().describe('owner, admin, member (default), readonly, or guest (guests expire).'),
  expires_at: z.iso.datetime({ offset: true }).optional().describe('When a guest grant ends (guests only; default one week from now).'),
});
export const RemoveTeamMemberInput = z.object({ team: TeamName, member: Member });
export const TeamActivityInput = z.object({
  team: TeamName,
  hours: z.number().positive().max(24 * 365).optional().describe('Look back (default 168, a week).'),
  limit: z.number().int().min(1).max(MAX_TEAM_ACTIVITY).optional().describe('At most this many of each kind.'),
});
export const SetModeInput = z.object({
  mode: z.enum(MODES).describe('mesh, solo, team or vault.'),
  team: TeamName.optional().describe('Team mode: the team (default: this host\'s only team it writes in).'),
  vault: z.string().min(1).max(100).optional().describe('Vault mode: the vault the vault tools use by default.'),
});
