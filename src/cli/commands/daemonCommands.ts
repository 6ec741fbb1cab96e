import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MeshError } from '../../errors.js';
import { homePaths, resolveHome } from '../../home.js';
import { watchParent } from '../../daemon/parentWatch.js';
import { createLogger, LOG_FORMATS, type LogFormat } from '../../log.js';
import { InvalidArgumentError } from 'commander';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printHint, printJson, printText } from '../output.js';
import { VERSION } from '../../version.js';
import { statusText } from '../statusText.js';
import { collect } from '../parsers.js';
import { stopDaemon } from '../stopDaemon.js';

function logFormat(value: string): LogFormat {
  const format = LOG_FORMATS.find((f) => f === value);
  if (!format) throw new InvalidArgumentError(`expected one of ${LOG_FORMATS.join(', ')}, got "${value}"`);
  return format;
}
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
        if (!created && opts.name && opts.name !== identity.name) {
          printHint(`the name stays ${identity.name}: --name applies when a home is created. To rename, stop the daemon (mesh stop), set "name" in ${homePaths(home).identity}, then start it again: the member list takes the new name at that start; memories already written keep the name they were written under`);
        }
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
    .option('--log-format <format>', 'stderr log lines: pretty (default on a terminal) or json (default otherwise); the log file is always JSON', logFormat)
    .option('--home <dir>', 'data directory')
    .action(async (opts: CommonOptions & { name?: string; background?: boolean; listen: string[]; announce: string[]; peer: string[]; discovery: boolean; logFormat?: LogFormat }) => {
      const home = resolveHome(opts.home);
      const logger = createLogger({ logDir: homePaths(home).logDir, file: 'daemon.log', stderr: !opts.background, ...(opts.logFormat ? { format: opts.logFormat } : {}) });
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
      // In a terminal, the daemon lives as long as what started it: a wrapper that exits on SIGTERM
      // without passing it on (npm before `exec`, a shell script) must not leave it running re-parented.
      // Not under nohup or a service manager (stdin is not a terminal there), where outliving the parent is the point.
      if (!opts.background && process.stdin.isTTY) {
        // A closed terminal (SIGHUP) stops it cleanly too, rather than by the default abrupt exit.
        process.once('SIGHUP', onSignal);
        watchParent(() => {
          logger.info('the process that started the daemon has exited; stopping');
          void daemon.stop();
        });
      }
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
        await stopDaemon(opts);
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
        const s = await withDaemon(opts, (c) => c.call('daemon.status', {}), false);
        if (opts.json) printJson(s);
        else printText([statusText(s), ...clockWarnings(clockOf(s))].join('\n'));
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
          // The keyword index is rebuilt first and reports no count; say so, so the terminal is not silent.
          if (bar) process.stderr.write('rebuilding the keyword index…\n');
          const poll = setInterval(() => {
            void c.call('daemon.model', {}).then((m) => {
              // Start only once the total is known (the count of memories comes after a scan), and follow it.
              if (!bar || !m.rebuilding || m.rebuilding.total === 0) return;
              if (!started) bar.start(m.rebuilding.total, m.rebuilding.done);
              started = true;
              bar.setTotal(m.rebuilding.total);
              bar.update(m.rebuilding.done);
            }, () => undefined);
          }, 250);
          try {
            return await c.call('daemon.reindex', {}, { timeoutMs: 60 * 60_000 });
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
        const m = await withDaemon(opts, (c) => c.call('daemon.model', {}));
        if (opts.json) printJson(m);
        else
        {
          printText(Object.entries(m).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n'));
          printHint(
            [
              'To switch: set "embedding": { "model": { "id": "all-MiniLM-L6-v2", "path": "/path/to/model-folder" } } in',
              `${homePaths(resolveHome(opts.home)).config} (or "allowRemote": true on an online host), then restart the daemon;`,
              'the vector index is rebuilt for the new model. "enabled": false turns semantic search off.',
            ].join('\n'),
          );
        }
      } catch (err) {
        fail(err);
      }
    });
}

