import { chmod, mkdir, stat } from 'node:fs/promises';
import { homePaths } from '../home.js';
import { newIdentity, newP2pKey, readIdentity, writeIdentity, type HostIdentity } from '../identity/HostIdentity.js';
import { ensureMeshSecrets } from '../mesh/MeshSecrets.js';
import { MeshError } from '../errors.js';

/** Creates the home (mode 0700) and this host's identity if missing. Idempotent. */
export async function initHome(root: string, opts: { name?: string } = {}): Promise<{ identity: HostIdentity; created: boolean }> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const info = await stat(root);
  if (!info.isDirectory()) throw new MeshError('HOME_INVALID', `${root} is not a directory`);
  await chmod(root, 0o700);
  const paths = homePaths(root);
  const existing = await readIdentity(paths.identity);
  if (existing) {
    // Homes from before replication get their libp2p key on first use.
    if (!existing.p2pKey) {
      existing.p2pKey = await newP2pKey();
      await writeIdentity(paths.identity, existing);
    }
    await ensureMeshSecrets(paths.mesh);
    return { identity: existing, created: false };
  }
  const identity = await newIdentity(opts.name);
  await writeIdentity(paths.identity, identity);
  await ensureMeshSecrets(paths.mesh);
  return { identity, created: true };
}
