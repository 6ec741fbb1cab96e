import type { Command } from 'commander';
import type { MethodName, ParamsOf, ResultOf } from '../../daemon/methodMap.js';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';
import { wholeNumber } from '../parsers.js';

interface TeamMember {
  peer: string;
  name: string;
  role: string;
  expires_at: string | null;
  expired: boolean;
  self: boolean;
}
interface TeamView {
  team: string;
  my_role: string | null;
  members: TeamMember[];
}

function teamText(t: TeamView): string {
  const lines = t.members.map((m) => `${m.self ? '*' : ' '} ${m.name.padEnd(20)} ${m.role.padEnd(9)} ${m.peer}${m.expires_at ? `  until ${m.expires_at}${m.expired ? ' (expired)' : ''}` : ''}`);
  return `team ${t.team} (this host: ${t.my_role ?? 'not a member'})\n${lines.join('\n')}`;
}

/**
 * `mesh team create|ls|show|add|rm|activity`: teams with roles. Every change is a membership
 * operation signed by this host's key; other hosts count it only if this host had the right
 * (see docs/ARCHITECTURE.md, "Teams, roles and modes").
 */
export function registerTeamCommands(program: Command): void {
  const team = program.command('team').description('teams with roles: owner, admin, member, readonly, guest (guests expire)');
  const run = <N extends MethodName>(opts: CommonOptions, method: N, params: ParamsOf<N>, text: (r: ResultOf<N>) => string) =>
    withDaemon(opts, (c) => c.call(method, params)).then(
      (r) => (opts.json ? printJson(r) : printText(text(r))),
      (err: unknown) => fail(err),
    );

  team
    .command('create')
    .description('create a team with this host as its owner')
    .argument('<team>', 'team name')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((name: string, opts: CommonOptions) => run(opts, 'team.create', { team: name }, teamText));
  team
    .command('ls')
    .description('every team, its size and this host\'s role')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((opts: CommonOptions) =>
      run(opts, 'team.list', {}, (r) => r.teams.map((t) => `${t.team.padEnd(20)} ${String(t.members).padStart(3)} member(s)${t.my_role ? `  this host: ${t.my_role}` : ''}`).join('\n') || 'no teams'),
    );
  team
    .command('show')
    .description('a team\'s members and roles')
    .argument('<team>', 'team name')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((name: string, opts: CommonOptions) => run(opts, 'team.get', { team: name }, teamText));
  team
    .command('add')
    .description('give a member a role in a team, or change its role (team owners/admins, mesh admins)')
    .argument('<team>', 'team name')
    .argument('<member>', 'member name or peer id')
    .option('--role <role>', 'owner, admin, member (default), readonly or guest')
    .option('--expires <iso>', 'guests: when the grant ends (default a week from now)')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((name: string, member: string, opts: CommonOptions & { role?: ParamsOf<'team.add'>['role']; expires?: string }) =>
      run(opts, 'team.add', { team: name, member, ...(opts.role ? { role: opts.role } : {}), ...(opts.expires ? { expires_at: opts.expires } : {}) }, teamText),
    );
  team
    .command('rm')
    .description('take a member out of a team')
    .argument('<team>', 'team name')
    .argument('<member>', 'member name or peer id')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((name: string, member: string, opts: CommonOptions) => run(opts, 'team.remove', { team: name, member }, (r) => `${r.removed} is out of team ${r.team}`));
  team
    .command('activity')
    .description('recent team-scoped writes and membership changes of a team')
    .argument('<team>', 'team name')
    .option('--hours <n>', 'look back this many hours (default 168)', wholeNumber)
    .option('--limit <n>', 'at most this many of each', wholeNumber)
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((name: string, opts: CommonOptions & { hours?: number; limit?: number }) =>
      run(opts, 'team.activity', { team: name, ...(opts.hours ? { hours: opts.hours } : {}), ...(opts.limit ? { limit: opts.limit } : {}) }, (r) =>
        [
          `team ${r.team}`,
          'writes:',
          ...(r.writes.length ? r.writes.map((w) => `  ${w.at} ${w.machine} ${w.id.slice(0, 8)} ${w.preview.replace(/\s+/g, ' ')}`) : ['  (none)']),
          'membership:',
          ...(r.membership.length ? r.membership.map((m) => `  ${m.at} ${m.by} set ${m.member} to ${m.role}${m.expires_at ? ` until ${m.expires_at}` : ''}${m.counted ? '' : ` (refused: ${m.refused ?? ''})`}`) : ['  (none)']),
        ].join('\n'),
      ),
    );
}
