import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder Claude Code names for a project: its working directory with every character other
 * than a letter or digit replaced by `-` (`/work/my.app` → `-work-my-app`), under
 * `~/.claude/projects/`. Its auto-memory lives in `memory/` inside it.
 */
export function claudeProjectSlug(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

export function claudeMemoryDir(cwd: string, home = homedir()): string {
  return join(home, '.claude', 'projects', claudeProjectSlug(cwd), 'memory');
}
