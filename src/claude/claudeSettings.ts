import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { MeshError } from '../errors.js';

/**
 * Claude Code's settings, merged rather than replaced: `mesh setup claude` adds hivemesh's hooks
 * and MCP server entry and keeps every other key; the file it changes is backed up first.
 *
 * Where Claude Code reads them: user scope, hooks in `~/.claude/settings.json` and MCP servers in
 * `~/.claude.json` (both under $CLAUDE_CONFIG_DIR when set); project scope, hooks in
 * `<project>/.claude/settings.json` and MCP servers in `<project>/.mcp.json`.
 */
export interface ClaudeTargets {
  settings: string;
  mcp: string;
}

export function claudeTargets(scope: 'user' | 'project', projectDir: string, env: NodeJS.ProcessEnv = process.env): ClaudeTargets {
  if (scope === 'project') return { settings: join(projectDir, '.claude', 'settings.json'), mcp: join(projectDir, '.mcp.json') };
  const configDir = env['CLAUDE_CONFIG_DIR'];
  if (configDir) return { settings: join(configDir, 'settings.json'), mcp: join(configDir, '.claude.json') };
  const home = env['HOME'] ?? homedir();
  return { settings: join(home, '.claude', 'settings.json'), mcp: join(home, '.claude.json') };
}

export type HookCommand = { type: 'command'; command: string; timeout?: number };
export type HookGroup = { matcher?: string; hooks: HookCommand[] };
type Json = Record<string, unknown>;

/** Claude Code hook events and the `mesh hook` event each runs, with a timeout in seconds. */
export const HOOKS: readonly { event: string; hook: string; timeout: number; optional?: boolean }[] = [
  { event: 'SessionStart', hook: 'session-start', timeout: 15 },
  { event: 'PreCompact', hook: 'pre-compact', timeout: 60 },
  { event: 'SessionEnd', hook: 'session-end', timeout: 60 },
  { event: 'UserPromptSubmit', hook: 'user-prompt', timeout: 5, optional: true },
];

/** Marks a hook command as ours, so a second setup replaces it instead of adding a copy. */
export const OURS = /(?:hookMain\.js|\bmesh\b)\S*\s+(?:hook\s+)?(?:session-start|pre-compact|session-end|user-prompt)\b/;

/** Adds hivemesh's hooks to a settings object, replacing earlier hivemesh hooks and keeping everything else. */
export function mergeHooks(settings: Json, command: (hook: string) => string, opts: { promptMemories?: boolean } = {}): Json {
  const hooks: Record<string, unknown> = isObj(settings['hooks']) ? { ...settings['hooks'] } : {};
  for (const h of HOOKS) {
    const existing = Array.isArray(hooks[h.event]) ? (hooks[h.event] as unknown[]) : [];
    const kept = existing
      .map((group) => (isObj(group) && Array.isArray(group['hooks']) ? { ...group, hooks: group['hooks'].filter((c) => !(isObj(c) && typeof c['command'] === 'string' && OURS.test(c['command']))) } : group))
      .filter((group) => !(isObj(group) && Array.isArray(group['hooks']) && group['hooks'].length === 0));
    if (!h.optional || opts.promptMemories) kept.push({ hooks: [{ type: 'command', command: command(h.hook), timeout: h.timeout }] } satisfies HookGroup);
    if (kept.length) hooks[h.event] = kept;
    else delete hooks[h.event];
  }
  return { ...settings, hooks };
}

/** Adds (or replaces) the `hivemesh` MCP server entry, keeping the other servers and keys. */
export function mergeMcpServer(config: Json, server: { command: string; args: string[]; env?: Record<string, string> }): Json {
  const servers = isObj(config['mcpServers']) ? { ...config['mcpServers'] } : {};
  servers['hivemesh'] = { type: 'stdio', command: server.command, args: server.args, env: server.env ?? {} };
  return { ...config, mcpServers: servers };
}

/**
 * Rewrites a JSON file with `change` applied. A missing file starts empty; a file that is not a
 * JSON object is left alone (an error), and an existing file is copied to `<file>.bak-<time>`
 * before it changes. Returns the backup's path, if one was made.
 */
export async function updateJsonFile(path: string, change: (value: Json) => Json, now = new Date()): Promise<{ changed: boolean; backup: string | null }> {
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let current: Json = {};
  if (text !== undefined && text.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new MeshError('INVALID_INPUT', `${path} is not valid JSON; fix it (or move it away) and run setup again`);
    }
    if (!isObj(parsed)) throw new MeshError('INVALID_INPUT', `${path} does not hold a JSON object; fix it and run setup again`);
    current = parsed;
  }
  const next = change(current);
  const out = `${JSON.stringify(next, null, 2)}\n`;
  if (text === out) return { changed: false, backup: null };
  await mkdir(dirname(path), { recursive: true });
  let backup: string | null = null;
  if (text !== undefined) {
    backup = `${path}.bak-${now.toISOString().replace(/[:.]/g, '-')}`;
    await copyFile(path, backup);
  }
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, out, { mode: 0o600 });
  await rename(tmp, path);
  return { changed: true, backup };
}

/** A shell word: single-quoted unless it is plainly safe. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The words of a command written by shellQuote (plain words and single-quoted ones), for checking the paths it runs. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const m of command.matchAll(/(?:'((?:[^']|'\\'')*)'|(\S+))/g)) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  return words;
}
