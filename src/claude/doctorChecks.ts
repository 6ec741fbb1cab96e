import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceManager } from '../service/ServiceManager.js';
import { claudeTargets, OURS, shellWords } from './claudeSettings.js';

type Status = 'ok' | 'warn' | 'fail';

/**
 * `mesh doctor`'s view of the Claude Code wiring and the service. Both are optional, so a missing
 * piece is a warning with the command that fixes it, never a failure.
 */
export async function integrationChecks(home: string, cwd = process.cwd()): Promise<{ check: string; status: Status; detail: string }[]> {
  const out: { check: string; status: Status; detail: string }[] = [];
  const json = (path: string) => readFile(path, 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined);
  const hasHook = (s: Record<string, unknown> | undefined) => JSON.stringify(s?.['hooks'] ?? {}).includes('session-start');
  const hasServer = (c: Record<string, unknown> | undefined) => typeof c?.['mcpServers'] === 'object' && c['mcpServers'] !== null && 'hivemesh' in c['mcpServers'];
  const user = claudeTargets('user', cwd);
  const project = claudeTargets('project', cwd);
  const [us, um, ps, pm] = await Promise.all([json(user.settings), json(user.mcp), json(project.settings), json(project.mcp)]);
  const hooks = hasHook(us) || hasHook(ps);
  const server = hasServer(um) || hasServer(pm);
  // Setup writes absolute paths (this node, this checkout): a checkout moved or a node removed since leaves commands that cannot run.
  const missing = [...new Set([...[us, ps].flatMap(hookPaths), ...[um, pm].flatMap(serverPaths)].filter((p) => !existsSync(p)))];
  const ok = hooks && server && missing.length === 0;
  out.push({
    check: 'claude code',
    status: ok ? 'ok' : 'warn',
    detail:
      `${server ? 'MCP server set' : 'no hivemesh MCP server'}, ${hooks ? 'hooks set' : 'no hivemesh hooks'} (${user.settings}, ${user.mcp}${ps || pm ? ', and this project' : ''})` +
      `${missing.length ? `; ${missing.map((p) => `${p} does not exist`).join(', ')}` : ''}${ok ? '' : '; run `mesh setup claude`'}`,
  });
  try {
    const spec = { node: process.execPath, main: fileURLToPath(new URL('../cli/main.js', import.meta.url)), home, userHome: process.env['HOME'] ?? homedir(), defaultHome: home === resolve(join(homedir(), '.hivemesh')) };
    const s = await new ServiceManager(spec, ServiceManager.platformOf(process.platform)).status();
    const state = s.active === null ? 'state unknown (no service manager session)' : s.active ? 'running' : 'not running';
    out.push({ check: 'service', status: s.installed && s.active !== false ? 'ok' : 'warn', detail: s.installed ? `${s.name} installed (${s.file}), ${state}` : 'not installed (optional: `mesh service install`)' });
  } catch (err) {
    out.push({ check: 'service', status: 'warn', detail: (err as Error).message });
  }
  return out;
}

type Json = Record<string, unknown> | undefined;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absolute = (words: unknown[]): string[] => words.filter((w): w is string => typeof w === 'string' && w.startsWith('/'));

/** The absolute paths hivemesh's hook commands run (node and hookMain.js, or a mesh binary). */
function hookPaths(settings: Json): string[] {
  const hooks = isObj(settings?.['hooks']) ? Object.values(settings['hooks']) : [];
  const commands = hooks
    .flatMap((groups): unknown[] => (Array.isArray(groups) ? (groups as unknown[]) : []))
    .flatMap((g): unknown[] => (isObj(g) && Array.isArray(g['hooks']) ? (g['hooks'] as unknown[]) : []))
    .map((h) => (isObj(h) && typeof h['command'] === 'string' ? h['command'] : ''))
    .filter((c) => OURS.test(c));
  return commands.flatMap((c) => absolute(shellWords(c)).filter((w) => w === shellWords(c)[0] || w.endsWith('.js')));
}

/** The absolute paths the hivemesh MCP server entry runs (its command and a script argument). */
function serverPaths(config: Json): string[] {
  const entry = isObj(config?.['mcpServers']) ? config['mcpServers']['hivemesh'] : undefined;
  if (!isObj(entry)) return [];
  const args: unknown[] = Array.isArray(entry['args']) ? (entry['args'] as unknown[]) : [];
  return absolute([entry['command'], ...args.filter((a) => typeof a === 'string' && a.endsWith('.js'))]);
}
