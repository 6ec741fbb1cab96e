import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeMemoryDir, claudeProjectSlug } from '../../../src/transcripts/claudeMemoryDir.js';
import { tmpHome } from '../../helpers/tmpHome.js';

describe("Claude Code's auto-memory folder for a working directory", () => {
  const dirs: { dir: string; cleanup: () => void }[] = [];
  const tmp = () => {
    const d = tmpHome('mh-cmdir-');
    dirs.push(d);
    return d.dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  it('outside a repository: the directory itself, slugged as Claude Code does', () => {
    const user = tmp();
    expect(claudeProjectSlug('/work/my.app')).toBe('-work-my-app');
    const cwd = join(tmp(), 'plain');
    mkdirSync(cwd);
    expect(claudeMemoryDir(cwd, user, {})).toBe(join(user, '.claude', 'projects', claudeProjectSlug(cwd), 'memory'));
  });

  it('in a subfolder of a repository, or in one of its worktrees: the main checkout\'s folder (Claude Code scopes auto-memory to the canonical git root)', () => {
    const user = tmp();
    const repo = join(tmp(), 'webshop');
    mkdirSync(join(repo, '.git', 'worktrees', 'hotfix'), { recursive: true });
    mkdirSync(join(repo, 'src', 'api'), { recursive: true });
    const expected = join(user, '.claude', 'projects', claudeProjectSlug(repo), 'memory');
    expect(claudeMemoryDir(join(repo, 'src', 'api'), user, {})).toBe(expected);
    expect(claudeMemoryDir(repo, user, {})).toBe(expected);

    // A linked worktree: `.git` is a file naming its gitdir, whose `commondir` leads to the main `.git`.
    const wt = join(tmp(), 'webshop-hotfix');
    mkdirSync(join(wt, 'lib'), { recursive: true });
    writeFileSync(join(wt, '.git'), `gitdir: ${join(repo, '.git', 'worktrees', 'hotfix')}\n`);
    writeFileSync(join(repo, '.git', 'worktrees', 'hotfix', 'commondir'), '../..\n');
    expect(claudeMemoryDir(join(wt, 'lib'), user, {})).toBe(expected);
  });

  it('CLAUDE_CONFIG_DIR moves the base, as it moves the settings', () => {
    const user = tmp();
    const config = tmp();
    const cwd = join(tmp(), 'svc');
    mkdirSync(cwd);
    expect(claudeMemoryDir(cwd, user, { CLAUDE_CONFIG_DIR: config })).toBe(join(config, 'projects', claudeProjectSlug(cwd), 'memory'));
  });
});
