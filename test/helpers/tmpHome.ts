import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A fresh home under /tmp (short, so the Unix socket path stays under the OS limit). */
export function tmpHome(prefix = 'mh-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join('/tmp', prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every regular file under `dir` whose bytes contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const bytes = Buffer.from(needle, 'utf8');
  async function walk(d: string): Promise<void> {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile() && (await stat(p)).size > 0 && (await readFile(p)).includes(bytes)) hits.push(p);
    }
  }
  await walk(dir);
  return hits;
}
