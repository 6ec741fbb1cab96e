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

/**
 * The session a person's CLI calls carry when they act as a registered agent (`mesh agent register`):
 * stable per OS user, so registering again updates the same roster entry.
 */
export function cliSession(): string {
  return `cli:${cliAgent().slice('mesh-cli:'.length)}`;
}

/** Connects to the daemon of the chosen home, starting it in the background when `autostart`. */
export async function withDaemon<T>(opts: CommonOptions, fn: (client: DaemonClient) => Promise<T>, autostart = true, as?: { session: string; agent_id?: string }): Promise<T> {
  const client = await ensureDaemon(resolveHome(opts.home), { agent: cliAgent(), ...as }, { autostart });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
