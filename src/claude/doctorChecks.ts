import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceManager } from '../service/ServiceManager.js';
import { claudeTargets } from './claudeSettings.js';

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
  out.push({
    check: 'claude code',
    status: hooks && server ? 'ok' : 'warn',
    detail: `${server ? 'MCP server set' : 'no hivemesh MCP server'}, ${hooks ? 'hooks set' : 'no hivemesh hooks'} (${user.settings}, ${user.mcp}${ps || pm ? ', and this project' : ''})${hooks && server ? '' : '; run `mesh setup claude`'}`,
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
