import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_START_TIMEOUT_MS } from '../constants.js';
import { MeshError } from '../errors.js';
import { homePaths } from '../home.js';
import { DaemonClient } from './DaemonClient.js';
import type { CallContext } from './messages.js';

/** The CLI entry point, used to start a background daemon with the same Node and code as the caller. */
const CLI_MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/**
 * Connects to the home's daemon, starting one in the background when none answers. Several callers
 * racing here is fine: the LevelDB lock lets exactly one daemon win and the others exit, while
 * every caller waits for the socket.
 */
export async function ensureDaemon(home: string, ctx: CallContext, opts: { autostart?: boolean; timeoutMs?: number } = {}): Promise<DaemonClient> {
  const paths = homePaths(home);
  try {
    return await DaemonClient.connect(paths.socket, ctx);
  } catch (err) {
    if (opts.autostart === false) throw err;
  }
  const child = startBackgroundDaemon(home);
  const deadline = Date.now() + (opts.timeoutMs ?? DAEMON_START_TIMEOUT_MS);
  let exitCode = null as number | null;
  child.once('exit', (code) => (exitCode = code));
  let delay = 25;
  while (Date.now() < deadline) {
    try {
      return await DaemonClient.connect(paths.socket, ctx);
    } catch {
      // Not up yet. A child that exited non-zero lost the lock race (fine) or failed (reported below).
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 250);
  }
  throw new MeshError('DAEMON_START_FAILED', `the daemon did not start within ${opts.timeoutMs ?? DAEMON_START_TIMEOUT_MS} ms${exitCode !== null ? ` (exit ${exitCode})` : ''}; see ${join(paths.logDir, 'daemon.out')}`);
}

export function startBackgroundDaemon(home: string) {
  const paths = homePaths(home);
  mkdirSync(paths.logDir, { recursive: true, mode: 0o700 });
  const out = openSync(join(paths.logDir, 'daemon.out'), 'a', 0o600);
  try {
    const child = spawn(process.execPath, [CLI_MAIN, 'daemon', '--home', home, '--background'], {
      detached: true,
      stdio: ['ignore', out, out],
      env: process.env,
    });
    child.unref();
    return child;
  } finally {
    closeSync(out);
  }
}
