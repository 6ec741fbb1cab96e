import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceManager, type Runner } from '../../../src/service/ServiceManager.js';
import { launchdPlist, serviceName, systemdUnit } from '../../../src/service/serviceUnits.js';

const spec = { node: process.execPath, main: '/opt/hive mesh/dist/src/cli/main.js', home: '/home/dev/.hivemesh', userHome: '/home/dev', defaultHome: true };
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('service units', () => {
  it('a systemd user unit runs this node and CLI for the home, restarts on failure, starts at login', () => {
    const unit = systemdUnit(spec);
    expect(unit).toContain(`ExecStart="${process.execPath}" "/opt/hive mesh/dist/src/cli/main.js" "daemon" "--home" "/home/dev/.hivemesh"`);
    expect(unit).toContain('Restart=on-failure');
    expect(unit).toContain('WantedBy=default.target');
    expect(serviceName(spec)).toBe('hivemesh');
    expect(serviceName({ ...spec, home: '/srv/other', defaultHome: false })).toMatch(/^hivemesh-[0-9a-f]{8}$/);
  });

  it.skipIf(!hasSystemdAnalyze)('the unit passes systemd-analyze verify', () => {
    const dir = mkdtempSync('/tmp/mh-unit-');
    try {
      const file = join(dir, 'hivemesh-test.service');
      writeFileSync(file, systemdUnit({ ...spec, main: join(process.cwd(), 'dist/src/cli/main.js') }));
      const r = spawnSync('systemd-analyze', ['verify', '--user', file], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: dir } });
      // Only complaints about this unit count (the host's own units may have their own).
      const ours = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('hivemesh-test'));
      expect(ours, `${r.stdout}${r.stderr}`).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a launchd agent is valid XML with the program, keep-alive on failure and log paths', () => {
    const plist = launchdPlist(spec);
    expect(plist).toContain('<key>Label</key><string>dev.hivemesh.daemon</string>');
    expect(plist).toContain('<string>/opt/hive mesh/dist/src/cli/main.js</string><string>daemon</string>');
    expect(plist).toContain('<key>SuccessfulExit</key><false/>');
    expect(plist).toContain('/home/dev/Library/Logs/hivemesh/hivemesh.log');
    const lint = spawnSync('xmllint', ['--noout', '-'], { input: plist, encoding: 'utf8' });
    if (lint.status !== null && !lint.error) expect(lint.status, lint.stderr).toBe(0);
  });

  it('install writes the unit and enables it; without a user bus it says so and status reports unknown', async () => {
    const home = mkdtempSync('/tmp/mh-svc-');
    try {
      const calls: string[] = [];
      const noBus: Runner = (cmd, args) => {
        calls.push(`${cmd} ${args.join(' ')}`);
        return { status: 1, stdout: '', stderr: 'Failed to connect to bus: No medium found' };
      };
      const m = new ServiceManager({ ...spec, userHome: home }, 'linux', noBus);
      const s = await m.install();
      expect(s).toMatchObject({ installed: true, enabled: null, active: null, file: join(home, '.config/systemd/user/hivemesh.service') });
      expect(calls).toContain('systemctl --user enable --now hivemesh.service');
      expect(s.notes.join('\n')).toContain('Failed to connect to bus');
      const u = await m.uninstall();
      expect(u.installed).toBe(false);
      expect(calls).toContain('systemctl --user disable --now hivemesh.service');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
