import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Every file the daemon keeps, in one place so the layout is documented by code. */
export interface HomePaths {
  root: string;
  identity: string;
  /** X25519 box key pair vault generations are wrapped to (src/vault/boxKeys.ts), 0600. */
  boxKey: string;
  mesh: string;
  config: string;
  db: string;
  indexDir: string;
  socket: string;
  pidFile: string;
  logDir: string;
  /** The dashboard's read and write tokens (`mesh ui`, src/ui/UiTokens.ts), 0600. */
  uiTokens: string;
}

/** `--home` wins over `MESH_HOME`, which wins over `~/.hivemesh`. */
export function resolveHome(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env['MESH_HOME'] ?? join(homedir(), '.hivemesh');
  return resolve(chosen);
}

export function homePaths(root: string): HomePaths {
  return {
    root,
    identity: join(root, 'identity.json'),
    boxKey: join(root, 'box-key.json'),
    mesh: join(root, 'mesh.json'),
    config: join(root, 'config.json'),
    db: join(root, 'db'),
    indexDir: join(root, 'index'),
    socket: join(root, 'daemon.sock'),
    pidFile: join(root, 'daemon.pid'),
    logDir: join(root, 'logs'),
    uiTokens: join(root, 'ui-tokens.json'),
  };
}
