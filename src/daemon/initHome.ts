import { chmod, mkdir, stat } from 'node:fs/promises';
import { homePaths } from '../home.js';
import { newIdentity, readIdentity, writeIdentity, type HostIdentity } from '../identity/HostIdentity.js';
import { MeshError } from '../errors.js';

/** Creates the home (mode 0700) and this host's identity if missing. Idempotent. */
export async function initHome(root: string, opts: { name?: string } = {}): Promise<{ identity: HostIdentity; created: boolean }> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const info = await stat(root);
  if (!info.isDirectory()) throw new MeshError('HOME_INVALID', `${root} is not a directory`);
  await chmod(root, 0o700);
  const paths = homePaths(root);
  const existing = await readIdentity(paths.identity);
  if (existing) return { identity: existing, created: false };
  const identity = newIdentity(opts.name);
  await writeIdentity(paths.identity, identity);
  return { identity, created: true };
}
