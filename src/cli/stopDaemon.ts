import { readFile } from 'node:fs/promises';
import { homePaths, resolveHome } from '../home.js';
import { DaemonClient } from '../ipc/DaemonClient.js';
import { waitForExit } from '../ipc/waitForExit.js';
import { cliAgent } from './context.js';
import { printJson, printText } from './output.js';

/**
 * `mesh stop`: asks this home's daemon to stop and returns once its process has exited. Kept to
 * a few small modules: `mesh.ts` runs it without loading the rest of the CLI (issue 11: stop
 * returns within a second).
 */
export async function stopDaemon(opts: { home?: string; json?: boolean }): Promise<void> {
  const paths = homePaths(resolveHome(opts.home));
  const client = await DaemonClient.connect(paths.socket, { agent: cliAgent() });
  try {
    // The pid file the running daemon wrote (it answers on the socket), not daemon.status: a
    // status counts the whole catalog, which took seconds at 100k memories during a sync.
    const pid = (await pidFromFile(paths.pidFile)) ?? (await client.call('daemon.status', {})).pid;
    await client.call('daemon.stop', {});
    await waitForExit(pid);
    if (opts.json) printJson({ stopped: true, pid });
    else printText(`stopped daemon (pid ${pid})`);
  } finally {
    client.close();
  }
}

/** The pid a daemon wrote at its start; undefined when the file is missing or not a pid. */
async function pidFromFile(file: string): Promise<number | undefined> {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
