import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import { homePaths, resolveHome } from '../../home.js';
import { DaemonClient } from '../../ipc/DaemonClient.js';
import { waitForExit } from '../../ipc/waitForExit.js';
import { createLogger } from '../../log.js';
import { cliAgent, withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';
import { VERSION } from '../../version.js';
import { clockOf, clockWarnings } from '../clockReport.js';

/** init, daemon, mcp, stop, status, reindex. */
export function registerDaemonCommands(program: Command): void {
  program
    .command('init')
    .description("create this host's identity in the home (idempotent)")
    .option('--name <name>', 'host name shown to the mesh (default: the hostname)')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { name?: string }) => {
      try {
        const home = resolveHome(opts.home);
        const { initHome } = await import('../../daemon/initHome.js');
        const { identity, created } = await initHome(home, opts.name ? { name: opts.name } : {});
        const out = { home, created, name: identity.name, host_id: identity.hostId };
        if (opts.json) printJson(out);
        else printText(`${created ? 'initialised' : 'already initialised'} ${home} as ${identity.name} (${identity.hostId})`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('daemon')
    .description('run the daemon in the foreground (initialising the home if needed)')
    .option('--name <name>', 'host name on first initialisation')
    .option('--background', 'log to the home only (used when started by mesh mcp)')
    .option('--listen <multiaddr>', 'libp2p listen address (repeatable); default: the Tailscale IPv4, else 127.0.0.1, port 7411', collect, [])
    .option('--announce <multiaddr>', 'address other hosts should dial instead of the listen address (repeatable; a port forward or relay)', collect, [])
    .option('--peer <multiaddr>', 'a peer to dial (repeatable)', collect, [])
    .option('--no-discovery', 'no tailscale or mDNS discovery; dial only configured peers and known members')
    .option('--home <dir>', 'data directory')
    .action(async (opts: CommonOptions & { name?: string; background?: boolean; listen: string[]; announce: string[]; peer: string[]; discovery: boolean }) => {
      const home = resolveHome(opts.home);
      const logger = createLogger({ logDir: homePaths(home).logDir, file: 'daemon.log', stderr: !opts.background });
      // Loaded on demand: each command pays only for the modules it uses (start-up time matters for `mesh mcp`).
      const { Daemon } = await import('../../daemon/Daemon.js');
      const daemon = new Daemon({
        home,
        logger,
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.listen.length ? { listen: opts.listen } : {}),
        ...(opts.announce.length ? { announce: opts.announce } : {}),
        ...(opts.peer.length ? { peers: opts.peer } : {}),
        ...(opts.discovery === false ? { discovery: false } : {}),
      });
      try {
        await daemon.start();
      } catch (err) {
        if (err instanceof MeshError && err.code === 'DAEMON_ALREADY_RUNNING') {
          const pid = await readFile(homePaths(home).pidFile, 'utf8').then((s) => s.trim(), () => '?');
          fail(new MeshError('DAEMON_ALREADY_RUNNING', `a daemon is already running for ${home} (pid ${pid}); stop it with \`mesh stop --home ${home}\``));
        }
        logger.error({ err }, 'daemon failed to start');
        fail(err);
      }
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'signal received');
        void daemon.stop();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      await daemon.stopped;
      logger.flush();
      process.exit(0);
    });

  program
    .command('mcp')
    .description('MCP server over stdio for Claude Code; starts the daemon in the background if none runs')
    .option('--home <dir>', 'data directory')
    .action(async (opts: CommonOptions) => {
      const home = resolveHome(opts.home);
      const logger = createLogger({ logDir: homePaths(home).logDir, file: 'mcp.log' });
      try {
        const { runStdioServer } = await import('../../mcp/stdio.js');
        await runStdioServer({ home, logger, version: VERSION });
        process.exit(0);
      } catch (err) {
        logger.error({ err }, 'mcp server failed');
        fail(err);
      }
    });

  program
    .command('stop')
    .description('stop the background daemon of this home')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      try {
        const paths = homePaths(resolveHome(opts.home));
        const client = await DaemonClient.connect(paths.socket, { agent: cliAgent() });
        const status = await client.call<{ pid: number }>('daemon.status');
        await client.call('daemon.stop');
        await waitForExit(status.pid);
        client.close();
        if (opts.json) printJson({ stopped: true, pid: status.pid });
        else printText(`stopped daemon (pid ${status.pid})`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('status')
    .description('show the daemon: identity, counts, connected clients and peers')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      try {
        const s = await withDaemon(opts, (c) => c.call<Record<string, unknown>>('daemon.status'), false);
        if (opts.json) printJson(s);
        else printText([...Object.entries(s).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`), ...clockWarnings(clockOf(s))].join('\n'));
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('reindex')
    .description('rebuild the derived search indexes (keyword and vectors) from the documents, with progress')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      try {
        const r = await withDaemon(opts, async (c) => {
          const { SingleBar, Presets } = await import('cli-progress');
          // Progress goes to stderr, and only to a terminal: stdout stays clean for --json and pipes.
          const bar = !opts.json && process.stderr.isTTY ? new SingleBar({ format: 'embedding {bar} {value}/{total} memories', stream: process.stderr }, Presets.shades_classic) : undefined;
          let started = false;
          const poll = setInterval(() => {
            void c.call<{ rebuilding?: { done: number; total: number } | null }>('daemon.model').then((m) => {
              if (!bar || !m.rebuilding) return;
              if (!started) bar.start(m.rebuilding.total, m.rebuilding.done);
              started = true;
              bar.update(m.rebuilding.done);
            }, () => undefined);
          }, 250);
          try {
            return await c.call<{ memories: number; vectors: number | null }>('daemon.reindex', {}, { timeoutMs: 60 * 60_000 });
          } finally {
            clearInterval(poll);
            if (started) bar?.stop();
          }
        });
        if (opts.json) printJson(r);
        else printText(`reindexed ${r.memories} memories (keyword)${r.vectors === null ? '; no embedding model loaded' : `, ${r.vectors} vectors`}`);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('model')
    .description('the embedding model in use, its vector index, and how to switch')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      try {
        const m = await withDaemon(opts, (c) => c.call<Record<string, unknown>>('daemon.model'));
        if (opts.json) printJson(m);
        else
          printText(
            [
              ...Object.entries(m).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
              '',
              'To switch: set "embedding": { "model": { "id": "all-MiniLM-L6-v2", "path": "/path/to/model-folder" } } in',
              `${homePaths(resolveHome(opts.home)).config} (or "allowRemote": true on an online host), then restart the daemon;`,
              'the vector index is rebuilt for the new model. "enabled": false turns semantic search off.',
            ].join('\n'),
          );
      } catch (err) {
        fail(err);
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
