import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import { MeshError } from './errors.js';

/** Reads a JSON file checked by `schema`; undefined when it does not exist, HOME_INVALID (with `fix`) when malformed. */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S, fix: string): Promise<z.infer<S> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MeshError('HOME_INVALID', `${path} is not valid JSON; ${fix}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new MeshError('HOME_INVALID', `${path} is malformed; ${fix}`);
  return parsed.data;
}

/** Writes JSON to a temporary file, mode 0600, then renames it: a crash never leaves half a file. */
export async function writeJsonFileAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
