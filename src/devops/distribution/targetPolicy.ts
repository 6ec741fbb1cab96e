import { lstat, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import picomatch from 'picomatch';

/** One allow-list entry of a host's config.json (`distribution.allow`). */
export interface AllowEntry {
  path: string;
  from?: string[] | undefined;
  commands: boolean;
}

export type PathCheck = { ok: true; real: string; entry: AllowEntry } | { ok: false; reason: string };

/** `~` and `~/x` are this user's home; anything else must be absolute. */
export function expandHome(path: string, home = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/** Is this host named by one of the targets (names or globs, case-insensitive)? */
export function isTargeted(targets: readonly string[], host: string): boolean {
  return picomatch(targets as string[], { nocase: true, dot: true })(host);
}

/**
 * Where a distributed file would really be written, and the allow entry that permits it.
 * `..` is resolved first; then the existing part of the path is resolved through symlinks (the
 * directory, and the file itself when it is a link), so neither a `..` nor a link planted under an
 * allowed directory can aim a write outside the allow list. The allow patterns get the same
 * treatment (their fixed leading directories resolved), so an allowed path under a linked
 * directory (/etc → /private/etc) still matches.
 */
export async function checkTargetPath(requested: string, allow: readonly AllowEntry[], home = homedir()): Promise<PathCheck> {
  if (allow.length === 0) return { ok: false, reason: 'this host allows no distributed files (distribution.allow in its config.json is empty)' };
  const expanded = expandHome(requested, home);
  if (!isAbsolute(expanded)) return { ok: false, reason: `the path ${requested} is not absolute` };
  const lexical = resolve(expanded);
  let dir: string;
  try {
    dir = await realpath(dirname(lexical));
  } catch {
    return { ok: false, reason: `the directory of ${lexical} does not exist on this host` };
  }
  let real = join(dir, basename(lexical));
  try {
    const st = await lstat(real);
    if (st.isSymbolicLink()) real = await realpath(real);
    else if (!st.isFile()) return { ok: false, reason: `${lexical} exists and is not a regular file` };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, reason: `${lexical} cannot be resolved (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  for (const entry of allow) {
    const patterns = await resolvedPatterns(entry.path, home);
    if (patterns.some((p) => picomatch(p, { dot: true })(real))) return { ok: true, real, entry };
  }
  return { ok: false, reason: `${real === lexical ? lexical : `${lexical} (really ${real})`} is not in this host's distribution.allow list` };
}

async function resolvedPatterns(pattern: string, home: string): Promise<string[]> {
  const expanded = expandHome(pattern, home);
  if (!isAbsolute(expanded)) return [];
  const normal = resolve(expanded);
  const { base, glob } = picomatch.scan(normal);
  if (!base) return [normal];
  try {
    const realBase = await realpath(base);
    const rebuilt = glob ? join(realBase, glob) : realBase;
    return rebuilt === normal ? [normal] : [normal, rebuilt];
  } catch {
    return [normal];
  }
}

/**
 * ssh_config directives that make ssh run a command when the file is next used: a distributed
 * file containing them executes on this host later, so they need `commands: true` in the entry.
 */
const COMMAND_DIRECTIVES = /^\s*(ProxyCommand|LocalCommand|PermitLocalCommand\s+yes|KnownHostsCommand|Match\s+.*\bexec\b|ProxyUseFdpass|PKCS11Provider|SecurityKeyProvider)\b/im;

export function runsCommands(sshConfig: string): string | undefined {
  return COMMAND_DIRECTIVES.exec(sshConfig)?.[1]?.split(/\s+/)[0];
}
