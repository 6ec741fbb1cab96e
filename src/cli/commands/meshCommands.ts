import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import { homePaths, resolveHome } from '../../home.js';
import { DaemonClient } from '../../ipc/DaemonClient.js';
import type { PeerStatus } from '../../sync/Replicator.js';
import type { PullResult } from '../../sync/SyncEngine.js';
import { cliAgent, withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';

/** invite, join, peers, sync: membership and replication. */
export function registerMeshCommands(program: Command): void {
  program
    .command('invite')
    .description('print a single-use, expiring token that lets one new host join this mesh')
    .option('--ttl <hours>', 'hours until the token expires (default 24)', Number)
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { ttl?: number }) => {
      try {
        const r = await withDaemon(opts, (c) => c.call<{ token: string; expires_at: string }>('mesh.invite', { ttl_hours: opts.ttl }));
        if (opts.json) printJson(r);
        else printText(`${r.token}\n\n(single use, expires ${r.expires_at}; on the new host: mesh join <token>)`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('join')
    .description("make this home a member of the inviter's mesh (run before starting the daemon)")
    .argument('<token>', 'the token printed by `mesh invite` on a member')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (token: string, opts: CommonOptions) => {
      try {
        const home = resolveHome(opts.home);
        const running = await DaemonClient.connect(homePaths(home).socket, { agent: cliAgent() }).then(
          (c) => (c.close(), true),
          () => false,
        );
        if (running) throw new MeshError('DAEMON_ALREADY_RUNNING', `stop the daemon first (mesh stop --home ${home}); it connects to the inviter when it starts again`);
        const { initHome } = await import('../../daemon/initHome.js');
        await initHome(home);
        const { recordJoin } = await import('../../sync/Replicator.js');
        const r = await recordJoin(homePaths(home).mesh, token);
        if (opts.json) printJson({ joining: true, ...r });
        else printText(`ready to join mesh ${r.mesh} through ${r.inviter}; start the daemon (mesh daemon, or any mesh command) to connect`);
      } catch (err) {
        fail(err);
      }
    });

  // `peers` holds no options itself, so `--home` reaches whichever subcommand runs (list by default).
  const peers = program.command('peers').description('members of the mesh (list, remove)');
  peers
    .command('list', { isDefault: true })
    .description('members of the mesh: addresses, connected or not, last sync, documents fetched at the last pull')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      try {
        const r = await withDaemon(opts, (c) => c.call<{ peers: PeerStatus[] }>('mesh.peers'));
        if (opts.json) printJson(r);
        else
          printText(
            r.peers
              .map((p) => `${p.self ? '*' : p.connected ? '+' : '-'} ${p.name.padEnd(20)} ${p.peer}${p.admin ? ' (admin)' : ''}${p.removed ? ' (removed)' : ''}${p.teams.length ? `  teams: ${p.teams.map((t) => (p.team_admin.includes(t) ? `${t}*` : t)).join(',')}` : ''}\n    ${p.addrs.join(' ') || 'no address'}  last sync: ${p.last_sync ?? 'never'}${p.behind !== null ? `  fetched last time: ${p.behind}` : ''}`)
              .join('\n'),
          );
      } catch (err) {
        fail(err);
      }
    });

  peers
    .command('remove')
    .description('take a member out of the mesh, on every host')
    .argument('<peer>', 'peer id or member name')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (peer: string, opts: CommonOptions) => {
      try {
        const r = await withDaemon(opts, (c) => c.call<{ removed: boolean }>('mesh.removePeer', { peer }));
        if (opts.json) printJson(r);
        else printText(r.removed ? `removed ${peer}` : `${peer} was already removed`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('sync')
    .description('pull from one member (or every connected member) now')
    .argument('[peer]', 'peer id or member name')
    .option('--full', "compare every document's heads with the peer's (a sweep), not only what changed since the last sync")
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (peer: string | undefined, opts: CommonOptions & { full?: boolean }) => {
      try {
        const params = { ...(peer ? { peer } : {}), ...(opts.full ? { full: true } : {}) };
        const r = await withDaemon(opts, (c) => c.call<{ results: PullResult[] }>('mesh.sync', params, { timeoutMs: 30 * 60_000 }));
        if (opts.json) printJson(r);
        else printText(r.results.length ? r.results.map((x) => `${x.peer}: ${x.entries} feed entries, fetched ${x.fetched}, applied ${x.applied}, erased ${x.erased} in ${x.ms} ms`).join('\n') : 'no connected member to sync with');
      } catch (err) {
        fail(err);
      }
    });
}
