import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The backup beside a file: one per file, the version before the last distribution. */
export const backupPath = (path: string) => `${path}.mesh-backup`;

/** The current text of a file, or null when it does not exist. */
export async function currentText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Writes a file so that a crash leaves the old version or the new, never half of one: the new text
 * goes to a temporary file in the same directory (created exclusively, never following a link),
 * is fsynced and renamed over the target. The previous file is first copied the same way to
 * `<path>.mesh-backup` (a rename replaces a link planted there rather than writing through it).
 * The mode of the previous file is kept (0600 for a new one). Nothing is executed.
 */
export async function writeWithBackup(path: string, text: string): Promise<{ backup: string | null }> {
  const previous = await currentText(path);
  const mode = previous === null ? 0o600 : (await stat(path)).mode & 0o777;
  let backup: string | null = null;
  if (previous !== null) {
    backup = backupPath(path);
    await writeAtomic(backup, previous, mode);
  }
  await writeAtomic(path, text, mode);
  await fsyncDir(dirname(path));
  return { backup };
}

async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.mesh-tmp-${randomBytes(6).toString('hex')}`;
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
