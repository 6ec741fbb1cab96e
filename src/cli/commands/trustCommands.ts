import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';

/**
 * Signed membership changes an admin makes: re-admit a removed host, make or unmake admins,
 * grant teams. Each is an operation signed by this host's key; other hosts count it only if
 * this host had the right (see docs/ARCHITECTURE.md, trust).
 */
export function registerTrustCommands(program: Command): void {
  const peers = program.commands.find((c) => c.name() === 'peers');
  if (!peers) throw new MeshError('INTERNAL', 'register the mesh commands before the trust commands');
  peers
    .command('readmit')
    .description('bring a removed host back into the mesh (admins only; removal is otherwise final)')
    .argument('<peer>', 'peer id or member name')
    .option('--name <name>', 'name to record for it')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (peer: string, opts: CommonOptions & { name?: string }) => {
      try {
        const r = await withDaemon(opts, (c) => c.call('mesh.readmitPeer', { peer, ...(opts.name ? { name: opts.name } : {}) }));
        if (opts.json) printJson(r);
        else printText(`readmitted ${r.readmitted}`);
      } catch (err) {
        fail(err);
      }
    });
  peers
    .command('admin')
    .description('make a member an admin (or, with --revoke, stop it being one); admins only')
    .argument('<peer>', 'peer id or member name')
    .option('--revoke', 'take admin away')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (peer: string, opts: CommonOptions & { revoke?: boolean }) => {
      try {
        const r = await withDaemon(opts, (c) => c.call('mesh.setAdmin', { peer, admin: opts.revoke !== true }));
        if (opts.json) printJson(r);
        else printText(`${r.peer} ${r.admin ? 'is now an admin' : 'is no longer an admin'}`);
      } catch (err) {
        fail(err);
      }
    });

  const teams = program.command('teams').description('team membership: granted by a mesh admin or a team admin, never claimed');
  for (const [verb, description] of [
    ['grant', 'grant a member a team (--admin: as an admin of that team)'],
    ['revoke', 'take a member out of a team'],
  ] as const) {
    teams
      .command(verb)
      .description(description)
      .argument('<peer>', 'peer id or member name')
      .argument('<team>', 'team name')
      .option('--admin', 'as an admin of the team (grant only)')
      .option('--home <dir>', 'data directory')
      .option('--json', 'print JSON')
      .action(async (peer: string, team: string, opts: CommonOptions & { admin?: boolean }) => {
        try {
          const role = verb === 'revoke' ? 'none' : opts.admin ? 'admin' : 'member';
          const r = await withDaemon(opts, (c) => c.call('mesh.setTeam', { peer, team, role }));
          if (opts.json) printJson(r);
          else printText(r.role === 'none' ? `${r.peer} is out of team ${r.team}` : `${r.peer} is in team ${r.team} (${r.role})`);
        } catch (err) {
          fail(err);
        }
      });
  }
}
