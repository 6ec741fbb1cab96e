import { spawn } from 'node:child_process';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { rssOf } from './stats.js';

/**
 * Cold start as the benches measure it: spawns `mesh daemon` from `mainJs` (a build's
 * `src/cli/main.js`) over `home`, times until a first search is answered over the socket, reads
 * the daemon's resident memory then, and stops it. `wall0` is the spawn's wall-clock time, for
 * reading phases from the daemon's log. Shared by `store.ts` and `coldStart.ts`.
 */
export async function timeToFirstSearch(mainJs: string, home: string): Promise<{ ms: number; rss: number; wall0: number }> {
  const wall0 = Date.now();
  const t0 = performance.now();
  const child = spawn(process.execPath, [mainJs, 'daemon', '--home', home, '--background'], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  let client: DaemonClient | undefined;
  while (!client) {
    if (exited) throw new Error(`the daemon (${mainJs}) exited before its socket answered (see ${homePaths(home).logDir})`);
    try {
      client = await DaemonClient.connect(homePaths(home).socket, { agent: 'bench' });
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  await client.call('memory.search', { query: 'ERR_CONN_REFUSED heap', limit: 10 });
  const ms = performance.now() - t0;
  const rss = rssOf(child.pid!);
  await client.call('daemon.stop', {});
  client.close();
  if (!exited) await new Promise((r) => child.once('exit', r));
  return { ms, rss, wall0 };
}
