import { userInfo } from 'node:os';
import { resolveHome } from '../home.js';
import type { DaemonClient } from '../ipc/DaemonClient.js';
import { ensureDaemon } from '../ipc/ensureDaemon.js';

export interface CommonOptions {
  home?: string;
  json?: boolean;
}

export function cliAgent(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep "unknown".
  }
  return `mesh-cli:${user}`;
}

/** Connects to the daemon of the chosen home, starting it in the background when `autostart`. */
export async function withDaemon<T>(opts: CommonOptions, fn: (client: DaemonClient) => Promise<T>, autostart = true): Promise<T> {
  const client = await ensureDaemon(resolveHome(opts.home), { agent: cliAgent() }, { autostart });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
