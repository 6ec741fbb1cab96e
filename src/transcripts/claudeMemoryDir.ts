import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The folder Claude Code names for a project: its working directory with every character other
 * than a letter or digit replaced by `-` (`/work/my.app` → `-work-my-app`), under
 * `~/.claude/projects/`. Its auto-memory lives in `memory/` inside it.
 */
export function claudeProjectSlug(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

/**
 * The directory Claude Code scopes auto-memory to: the canonical git root (the main checkout, so
 * every subfolder and every linked worktree of a repository shares one memory folder), or the
 * working directory itself outside a repository.
 */
export function claudeProjectRoot(cwd: string): string {
  let dir = resolve(cwd);
  for (;;) {
    const git = join(dir, '.git');
    if (existsSync(git)) return mainCheckout(dir, git);
    const parent = dirname(dir);
    if (parent === dir) return resolve(cwd);
    dir = parent;
  }
}

/** `<CLAUDE_CONFIG_DIR or ~/.claude>/projects/<slug of the project root>/memory`. */
export function claudeMemoryDir(cwd: string, home = homedir(), env: NodeJS.ProcessEnv = process.env): string {
  const base = env['CLAUDE_CONFIG_DIR'] || join(home, '.claude');
  return join(base, 'projects', claudeProjectSlug(claudeProjectRoot(cwd)), 'memory');
}

/** A linked worktree's `.git` is a file `gitdir: <main>/.git/worktrees/<name>` whose `commondir` names the main `.git`. */
function mainCheckout(dir: string, git: string): string {
  try {
    if (statSync(git).isDirectory()) return dir;
    const gitdir = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(git, 'utf8'))?.[1];
    if (!gitdir) return dir;
    const worktreeGitDir = resolve(dir, gitdir);
    const common = existsSync(join(worktreeGitDir, 'commondir')) ? resolve(worktreeGitDir, readFileSync(join(worktreeGitDir, 'commondir'), 'utf8').trim()) : undefined;
    return common && basename(common) === '.git' ? dirname(common) : dir;
  } catch {
    // An unreadable `.git` (permissions, a race with git itself): the folder that holds it.
    return dir;
  }
}
