import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix of a derived file moved aside after failing its check: `<name>.corrupt-<epoch ms>`. */
const ASIDE = /\.corrupt-\d+$/;

/**
 * Moves a derived file that failed its check out of the way (renamed beside itself, for a
 * person to look at), keeping only the newest such copy per file so repeated damage cannot fill
 * the disk. Returns the new path, or undefined when the file was not there.
 */
export async function moveAside(path: string, now = Date.now()): Promise<string | undefined> {
  const dir = dirname(path);
  const name = basename(path);
  const aside = `${path}.corrupt-${now}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const older = ASIDE.test(entry) && entry.slice(0, entry.lastIndexOf('.corrupt-')) === name && join(dir, entry) !== aside;
    if (older) await rm(join(dir, entry), { force: true });
  }
  return aside;
}

/**
 * Deletes every moved-aside file under `dir`: they may hold text (the keyword index keeps a copy)
 * or vectors of a memory being erased, and an erasure must leave no copy anywhere in the home.
 */
export async function removeAsides(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removed += await removeAsides(path);
    else if (ASIDE.test(entry.name)) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
