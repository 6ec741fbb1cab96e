import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The daemon's umask: everything it (and LevelDB, SQLite, hnswlib under it) creates in the home is
 * owner-only, 0700 directories and 0600 files, whatever the user's umask.
 */
export const HOME_UMASK = 0o077;

/**
 * Takes group and other access away from everything already in the home (homes from before the
 * umask, or files copied in), without following links out of it. Returns how many entries changed.
 */
export async function makeOwnerOnly(root: string): Promise<number> {
  let changed = 0;
  const dirs = [root];
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isSymbolicLink()) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) dirs.push(path);
      const mode = (await lstat(path).catch(() => undefined))?.mode;
      if (mode === undefined || (mode & 0o077) === 0) continue;
      await chmod(path, mode & 0o700).catch(() => undefined);
      changed++;
    }
  }
  return changed;
}
