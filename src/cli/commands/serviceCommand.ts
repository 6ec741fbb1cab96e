import type { Command } from 'commander';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveHome } from '../../home.js';
import { ServiceManager, type ServiceStatus } from '../../service/ServiceManager.js';
import { fail, printJson, printText } from '../output.js';

const CLI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

function manager(opts: { home?: string; platform?: string }): ServiceManager {
  const home = resolveHome(opts.home);
  const userHome = process.env['HOME'] ?? homedir();
  const spec = { node: process.execPath, main: CLI_MAIN, home, userHome, defaultHome: home === resolve(join(homedir(), '.hivemesh')) };
  return new ServiceManager(spec, ServiceManager.platformOf((opts.platform ?? process.platform) as NodeJS.Platform));
}

function show(s: ServiceStatus, json: boolean | undefined): void {
  if (json) return printJson(s);
  const state = (v: boolean | null, yes: string, no: string) => (v === null ? `${yes}: unknown (no service manager session)` : v ? yes : no);
  printText(`${s.name} (${s.platform}): ${s.installed ? `installed at ${s.file}` : 'not installed'}; ${state(s.enabled, 'enabled', 'not enabled')}, ${state(s.active, 'running', 'not running')}`);
  for (const n of s.notes) printText(`note: ${n}`);
}

/** `mesh service install|uninstall|status`: the daemon as a systemd user unit or a launchd agent. */
export function registerServiceCommand(program: Command): void {
  const service = program.command('service').description('run the daemon as a service: a systemd user unit (Linux) or a launchd agent (macOS)');
  const common = (c: Command) => c.option('--home <dir>', 'data directory').option('--json', 'print JSON').option('--platform <p>', 'linux or darwin (default: this system)');
  common(service.command('install').description('write and enable the service (starts at login, restarts on failure)').option('--print', 'print the unit or agent file instead of installing it')).action(
    async (opts: { home?: string; json?: boolean; platform?: string; print?: boolean }) => {
      try {
        const m = manager(opts);
        if (opts.print) return printText(m.render());
        show(await m.install(), opts.json);
      } catch (err) {
        fail(err);
      }
    },
  );
  common(service.command('uninstall').description('stop, disable and remove the service')).action(async (opts: { home?: string; json?: boolean; platform?: string }) => {
    try {
      show(await manager(opts).uninstall(), opts.json);
    } catch (err) {
      fail(err);
    }
  });
  common(service.command('status').description('whether the service is installed, enabled and running')).action(async (opts: { home?: string; json?: boolean; platform?: string }) => {
    try {
      show(await manager(opts).status(), opts.json);
    } catch (err) {
      fail(err);
    }
  });
}
