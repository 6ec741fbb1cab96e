import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The project a working directory belongs to: the name of its git repository's top folder when
 * the directory is on this host inside one, else the directory's own name. Sessions started in
 * a subfolder of a repository land in the repository's project.
 */
export function projectOf(cwd: string): string {
  let dir = cwd;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return basename(dir);
    const parent = dirname(dir);
    if (parent === dir) return basename(cwd) || cwd;
    dir = parent;
  }
}
