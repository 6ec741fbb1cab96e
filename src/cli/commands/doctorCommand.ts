import { access, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { loadConfig } from '../../config/MeshConfig.js';
import { homePaths, resolveHome } from '../../home.js';
import { readIdentity } from '../../identity/HostIdentity.js';
import { integrationChecks } from '../../claude/doctorChecks.js';
import { DaemonClient } from '../../ipc/DaemonClient.js';
import { cliAgent, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';

type Status = 'ok' | 'warn' | 'fail';
interface Check {
  check: string;
  status: Status;
  detail: string;
}

const require = createRequire(import.meta.url);

/** `mesh doctor`: what a person checks first when something is off, each with a fix. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the home, the daemon, Node and the native addons')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      try {
        const checks = await runChecks(resolveHome(opts.home));
        const healthy = checks.every((c) => c.status !== 'fail');
        if (opts.json) printJson({ healthy, checks });
        else printText(checks.map((c) => `${c.status === 'ok' ? 'ok  ' : c.status === 'warn' ? 'warn' : 'FAIL'}  ${c.check}: ${c.detail}`).join('\n'));
        if (!healthy) process.exitCode = 1;
      } catch (err) {
        fail(err);
      }
    });
}

export async function runChecks(home: string): Promise<Check[]> {
  const paths = homePaths(home);
  const checks: Check[] = [];
  const add = (check: string, status: Status, detail: string) => checks.push({ check, status, detail });

  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  add('node', major > 20 || (major === 20 && minor >= 19) ? 'ok' : 'fail', `v${process.versions.node} (needs >= 20.19)`);

  const homeStat = await stat(home).catch(() => undefined);
  if (!homeStat) add('home', 'warn', `${home} does not exist yet; run \`mesh init\` or start the daemon`);
  else {
    const mode = homeStat.mode & 0o777;
    add('home', mode & 0o077 ? 'fail' : 'ok', `${home} mode ${mode.toString(8)}${mode & 0o077 ? ' (others can read it: chmod 700)' : ''}`);
    const id = await readIdentity(paths.identity).catch((err: Error) => err);
    if (id instanceof Error) add('identity', 'fail', id.message);
    else if (!id) add('identity', 'warn', 'no identity yet; run `mesh init`');
    else {
      const idMode = (await stat(paths.identity)).mode & 0o777;
      add('identity', idMode & 0o077 ? 'fail' : 'ok', `${id.name} (${id.hostId}) mode ${idMode.toString(8)}`);
    }
    try {
      await loadConfig(paths.config);
      add('config', 'ok', (await access(paths.config).then(() => true, () => false)) ? paths.config : 'embedded defaults (no config.json)');
    } catch (err) {
      add('config', 'fail', (err as Error).message);
    }
  }

  const socketExists = await stat(paths.socket).then(() => true, () => false);
  let client: DaemonClient | undefined;
  try {
    client = await DaemonClient.connect(paths.socket, { agent: cliAgent() });
    const s = await client.call<{ pid: number; uptime_s: number }>('daemon.status', {}, { timeoutMs: 5_000 });
    add('daemon', 'ok', `running, pid ${s.pid}, up ${s.uptime_s} s`);
    const sockMode = (await stat(paths.socket)).mode & 0o777;
    add('socket', sockMode & 0o077 ? 'fail' : 'ok', `${paths.socket} mode ${sockMode.toString(8)}`);
  } catch {
    add('daemon', 'warn', 'not running (mesh mcp starts it; or run `mesh daemon`)');
    if (socketExists) add('socket', 'warn', `stale socket ${paths.socket}; the next daemon start removes it`);
  } finally {
    client?.close();
  }

  for (const addon of ['classic-level', 'hnswlib-node']) {
    try {
      require(addon);
      add(`addon ${addon}`, 'ok', 'loads');
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
      add(`addon ${addon}`, missing && addon === 'hnswlib-node' ? 'warn' : 'fail', missing ? 'not installed' : (err as Error).message.split('\n')[0] ?? 'failed to load');
    }
  }
  try {
    await import('@automerge/automerge');
    add('automerge', 'ok', 'wasm loads');
  } catch (err) {
    add('automerge', 'fail', (err as Error).message);
  }
  checks.push(...(await integrationChecks(home)));
  return checks;
}
