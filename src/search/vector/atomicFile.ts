import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Flushes a file (or a directory's entries) to disk, so a rename that follows survives power loss. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Moves a fully written temp file into place: data synced first, then the rename, then the
 * directory entry, so readers see the old file or the new one, never a torn one.
 */
export async function commitFile(tmp: string, path: string): Promise<void> {
  await fsyncPath(tmp);
  await rename(tmp, path);
  await fsyncPath(dirname(path));
}
