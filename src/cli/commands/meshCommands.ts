import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import { homePaths, resolveHome } from '../../home.js';
import { DaemonClient } from '../../ipc/DaemonClient.js';
import { cliAgent, withDaemon, type CommonOptions } from '../context.js';
import { fail, printHint, printJson, printText } from '../output.js';
import { positiveNumber } from '../parsers.js';
import type { DaemonStatus } from '../statusText.js';

/** How long `mesh sync` waits for a first connected member (a join takes a few seconds on a LAN). */
const SYNC_WAIT_S = 30;
const SYNC_POLL_MS = 250;

/**
 * Waits until a member is connected (true), or there is none to wait for: no other member and no
 * join pending, members that stayed offline since the daemon started a while ago, or the time is
 * up (false); a join that gave up throws its reason.
 */
async function waitForMember(c: DaemonClient, seconds: number): Promise<boolean> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const s: DaemonStatus = await c.call('daemon.status', {});
    const r = s.replication;
    if (!r || r.error) throw new MeshError('REPLICATION_UNAVAILABLE', `replication is not running: ${r?.error ?? 'unknown'}`);
    if (r.joining?.gave_up) throw new MeshError('INVITE_REFUSED', r.joining.error ?? 'the join failed');
    if (r.peers?.some((p) => p.connected)) return true;
    // Alone in the member list: the founder has nobody to wait for; a joined home gets the list with its first pull.
    if (!r.joining && (r.peers ?? []).length === 0 && r.founder !== false) return false;
    // Members known but offline on a daemon that has run a while: they are not about to connect.
    if (!r.joining && (r.peers ?? []).length > 0 && (s.uptime_s ?? 0) > seconds) return false;
    if (Date.now() >= until) {
      printHint(`no member connected within ${seconds} s${r.joining?.error ? ` (joining: ${r.joining.error})` : ''}; see mesh status`);
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, SYNC_POLL_MS));
  }
}

/** The marks at the start of each `mesh peers` entry. */
const PEERS_LEGEND = 'legend: * this host, + connected, - not connected';

/** invite, join, peers, sync: membership and replication. */
export function registerMeshCommands(program: Command): void {
  program
    .command('invite')
    .description('print a single-use, expiring token that lets one new host join this mesh')
    .option('--ttl <hours>', 'hours until the token expires (default 24)', positiveNumber)
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { ttl?: number }) => {
      try {
        const r = await withDaemon(opts, (c) => c.call('mesh.invite', { ttl_hours: opts.ttl }));
        if (opts.json) printJson(r);
        else {
          // The token alone on stdout, so `mesh join "$(mesh invite)"` works; the advice goes to stderr.
          printText(r.token);
          printHint(`(single use, expires ${r.expires_at}; on the new host: mesh join <token> --fingerprint ${r.fingerprint})`);
        }
      } catch (err) {
        fail(err, { ttl_hours: '--ttl' });
      }
    });

  program
    .command('join')
    .description("make this home a member of the inviter's mesh (run before starting the daemon)")
    .argument('<token>', 'the token printed by `mesh invite` on a member')
    .option('--name <name>', 'host name shown to the mesh, when this joins a new home (default: the hostname)')
    .option('--fingerprint <fp>', 'the inviter\'s signing fingerprint as its `mesh whoami` shows it: refuse the token if its key differs')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (token: string, opts: CommonOptions & { name?: string; fingerprint?: string }) => {
      try {
        const home = resolveHome(opts.home);
        const running = await DaemonClient.connect(homePaths(home).socket, { agent: cliAgent() }).then(
          (c) => (c.close(), true),
          () => false,
        );
        if (running) throw new MeshError('DAEMON_ALREADY_RUNNING', `stop the daemon first (mesh stop --home ${home}); it connects to the inviter when it starts again`);
        // A substituted inviter key is refused before anything is written to the home.
        const { decodeToken } = await import('../../mesh/invites.js');
        const { checkInviteKey } = await import('../../teams/inviteFingerprint.js');
        checkInviteKey(decodeToken(token), opts.fingerprint);
        const { initHome } = await import('../../daemon/initHome.js');
        await initHome(home, opts.name ? { name: opts.name } : {});
        const { recordJoin } = await import('../../sync/Replicator.js');
        const r = await recordJoin(homePaths(home).mesh, token, opts.fingerprint);
        if (opts.json) printJson({ joining: true, ...r });
        else {
          printText(`ready to join mesh ${r.mesh} through ${r.inviter}`);
          printHint(`inviter key fingerprint ${r.inviter_fingerprint}${opts.fingerprint ? ' (matches what you were told)' : ': compare it with `mesh whoami` on the inviter'}`);
          printHint('start the daemon (mesh daemon, or any mesh command) to connect');
        }
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
        const r = await withDaemon(opts, (c) => c.call('mesh.peers', {}));
        if (opts.json) printJson(r);
        else {
          printText(
            r.peers
              .map((p) => `${p.self ? '*' : p.connected ? '+' : '-'} ${p.name.padEnd(20)} ${p.peer}${p.admin ? ' (admin)' : ''}${p.removed ? ' (removed)' : ''}${p.teams.length ? `  teams: ${p.teams.map((t) => (p.team_admin.includes(t) ? `${t}*` : t)).join(',')}` : ''}\n    ${p.addrs.join(' ') || 'no address'}  last sync: ${p.last_sync ?? 'never'}${p.behind !== null ? `  fetched last time: ${p.behind}` : ''}`)
              .join('\n'),
          );
          printHint(r.peers.length > 1 ? PEERS_LEGEND : `${PEERS_LEGEND}; no other member yet: print a token with mesh invite, then mesh join <token> on the new host`);
        }
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
        const r = await withDaemon(opts, (c) => c.call('mesh.removePeer', { peer }));
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
    .option('--wait <seconds>', `when no member is connected yet (just joined, just started), wait this long for one (default ${SYNC_WAIT_S})`, positiveNumber)
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (peer: string | undefined, opts: CommonOptions & { full?: boolean; wait?: number }) => {
      try {
        const params = { ...(peer ? { peer } : {}), ...(opts.full ? { full: true } : {}) };
        const { r, names } = await withDaemon(opts, async (c) => {
          const pull = () => c.call('mesh.sync', params, { timeoutMs: 30 * 60_000 });
          let synced = await pull();
          // Right after `mesh join` (or a start) no member is connected yet, or its first pull is still
          // running (a second one to the same member is refused): wait for one, then pull.
          const until = Date.now() + (opts.wait ?? SYNC_WAIT_S) * 1000;
          while (synced.results.length === 0 && Date.now() < until && (await waitForMember(c, (until - Date.now()) / 1000))) {
            synced = await pull();
            if (synced.results.length === 0) await new Promise((resolve) => setTimeout(resolve, SYNC_POLL_MS));
          }
          // Members by name, as `mesh peers` shows them: a person knows "build-box", not 12D3KooW...
          const members = opts.json ? [] : (await c.call('mesh.peers', {})).peers;
          return { r: synced, names: new Map(members.map((p) => [p.peer, p.name])) };
        });
        if (opts.json) printJson(r);
        else if (r.results.length) printText(r.results.map((x) => `${names.get(x.peer) ?? x.peer}: ${x.entries} feed entries, fetched ${x.fetched}, applied ${x.applied}, erased ${x.erased} in ${x.ms} ms`).join('\n'));
        else printHint('no connected member to sync with (see mesh peers)');
      } catch (err) {
        fail(err);
      }
    });
}
