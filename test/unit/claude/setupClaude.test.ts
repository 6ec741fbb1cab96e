import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mesh } from '../../helpers/cli.js';
import { tmpHome } from '../../helpers/tmpHome.js';

type Settings = { hooks: Record<string, { matcher?: string; hooks: { command: string }[] }[]>; [k: string]: unknown };

describe('mesh setup claude', () => {
  const dirs: { cleanup: () => void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  it('merges hooks and the MCP server into existing settings without losing keys, with a backup, and is idempotent', async () => {
    const user = tmpHome('mh-user-');
    dirs.push(user);
    mkdirSync(join(user.dir, '.claude'));
    const existing = {
      model: 'opus',
      permissions: { allow: ['Bash(npm test)'] },
      hooks: { SessionStart: [{ matcher: 'startup', hooks: [{ type: 'command', command: 'echo other-tool' }] }], Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }] },
    };
    writeFileSync(join(user.dir, '.claude', 'settings.json'), JSON.stringify(existing));
    writeFileSync(join(user.dir, '.claude.json'), JSON.stringify({ numStartups: 3, mcpServers: { github: { type: 'stdio', command: 'gh-mcp', args: [] } } }));
    const env = { HOME: user.dir, MESH_HOME: join(user.dir, 'mesh-home') };

    const doctor = async () => (JSON.parse((await mesh(['doctor', '--json'], env)).stdout) as { checks: { check: string; status: string; detail: string }[] }).checks.find((c) => c.check === 'claude code');
    expect((await doctor())?.status).toBe('warn');
    const r = await mesh(['setup', 'claude', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { settings: { changed: boolean; backup: string }; mcp: { changed: boolean; backup: string } };
    expect(out.settings.changed).toBe(true);
    expect(JSON.parse(readFileSync(out.settings.backup, 'utf8'))).toEqual(existing);

    const settings = JSON.parse(readFileSync(join(user.dir, '.claude', 'settings.json'), 'utf8')) as Settings;
    expect(settings['model']).toBe('opus');
    expect(settings['permissions']).toEqual(existing.permissions);
    expect(settings.hooks['Stop']).toEqual(existing.hooks.Stop);
    const start = settings.hooks['SessionStart']!.flatMap((g) => g.hooks.map((h) => h.command));
    expect(start).toContain('echo other-tool');
    expect(start.filter((c) => c.includes('session-start'))).toHaveLength(1);
    expect(start.find((c) => c.includes('session-start'))).toContain(`--home ${env.MESH_HOME}`);
    expect(settings.hooks['PreCompact']![0]!.hooks[0]!.command).toContain('pre-compact');
    expect(settings.hooks['SessionEnd']![0]!.hooks[0]!.command).toContain('session-end');
    expect(settings.hooks['UserPromptSubmit']).toBeUndefined();
    const claudeJson = JSON.parse(readFileSync(join(user.dir, '.claude.json'), 'utf8')) as { numStartups: number; mcpServers: Record<string, { args: string[] }> };
    expect(claudeJson.numStartups).toBe(3);
    expect(Object.keys(claudeJson.mcpServers).sort()).toEqual(['github', 'hivemesh']);
    expect(claudeJson.mcpServers['hivemesh']!.args.slice(-3)).toEqual(['mcp', '--home', env.MESH_HOME]);

    expect((await doctor())?.status).toBe('ok');

    // A checkout moved after setup: the hooks point at a file that is gone, and doctor says so.
    const settingsPath = join(user.dir, '.claude', 'settings.json');
    const saved = readFileSync(settingsPath, 'utf8');
    const moved = saved.replace(/\S*hookMain\.js/g, '/nonexistent/hivemesh/dist/src/cli/hookMain.js');
    expect(moved).not.toBe(saved);
    writeFileSync(settingsPath, moved);
    const stale = await doctor();
    expect(stale?.status).toBe('warn');
    expect(stale?.detail).toContain('/nonexistent/hivemesh/dist/src/cli/hookMain.js does not exist');
    writeFileSync(settingsPath, saved);
    expect((await doctor())?.status).toBe('ok');

    // Again: nothing changes, no new backup, no duplicate hook.
    const before = readdirSync(join(user.dir, '.claude')).length;
    const again = JSON.parse((await mesh(['setup', 'claude', '--json'], env)).stdout) as { settings: { changed: boolean }; mcp: { changed: boolean } };
    expect(again).toMatchObject({ settings: { changed: false }, mcp: { changed: false } });
    expect(readdirSync(join(user.dir, '.claude')).length).toBe(before);

    // With the prompt hook asked for, it is added; the others stay single.
    await mesh(['setup', 'claude', '--prompt-memories'], env);
    const withPrompt = JSON.parse(readFileSync(join(user.dir, '.claude', 'settings.json'), 'utf8')) as Settings;
    expect(withPrompt.hooks['UserPromptSubmit']![0]!.hooks[0]!.command).toContain('user-prompt');
    expect(withPrompt.hooks['SessionStart']!.flatMap((g) => g.hooks).filter((h) => h.command.includes('session-start'))).toHaveLength(1);
  });

  it('--project writes .claude/settings.json and .mcp.json in the project; a settings file that is not JSON is left alone', async () => {
    const project = tmpHome('mh-proj-');
    dirs.push(project);
    const r = await mesh(['setup', 'claude', '--project', '--dir', project.dir], { HOME: project.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(project.dir, '.claude', 'settings.json'))).toBe(true);
    expect((JSON.parse(readFileSync(join(project.dir, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, unknown> }).mcpServers['hivemesh']).toBeDefined();

    writeFileSync(join(project.dir, '.claude', 'settings.json'), '{ "model": "opus", ');
    const bad = await mesh(['setup', 'claude', '--project', '--dir', project.dir], { HOME: project.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not valid JSON');
    expect(readFileSync(join(project.dir, '.claude', 'settings.json'), 'utf8')).toBe('{ "model": "opus", ');
  });
});
