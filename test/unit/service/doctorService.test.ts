import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mesh } from '../../helpers/cli.js';
import { tmpHome } from '../../helpers/tmpHome.js';

type Check = { check: string; status: string; detail: string };

/**
 * `mesh service` and `mesh doctor` through the CLI. systemctl is the machine's, outside hivemesh:
 * a stand-in on PATH answers as systemctl does without a user session bus (what CI containers
 * have), and records its calls, so no test ever enables a real unit on a developer's machine.
 */
describe.skipIf(process.platform !== 'linux')('mesh service and mesh doctor', () => {
  const dirs: { cleanup: () => void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  it('doctor reports the service: not installed, then installed (unit file written, enable asked), then not installed again', async () => {
    const user = tmpHome('mh-svc-user-');
    dirs.push(user);
    const bin = join(user.dir, 'bin');
    mkdirSync(bin);
    const calls = join(user.dir, 'systemctl-calls');
    writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> '${calls}'\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n`);
    chmodSync(join(bin, 'systemctl'), 0o755);
    const env = { HOME: user.dir, MESH_HOME: join(user.dir, 'mesh-home'), PATH: `${bin}:${process.env['PATH'] ?? ''}` };
    const service = async () => (JSON.parse((await mesh(['doctor', '--json'], env)).stdout) as { checks: Check[] }).checks.find((c) => c.check === 'service');

    expect(await service()).toMatchObject({ status: 'warn', detail: expect.stringContaining('not installed') as unknown });

    const installed = await mesh(['service', 'install', '--json'], env);
    expect(installed.code, installed.stderr).toBe(0);
    const s = JSON.parse(installed.stdout) as { installed: boolean; file: string; notes: string[] };
    expect(s.installed).toBe(true);
    expect(s.file.startsWith(join(user.dir, '.config', 'systemd', 'user'))).toBe(true);
    expect(readFileSync(s.file, 'utf8')).toContain(`"--home" "${env.MESH_HOME}"`);
    expect(s.notes.join('\n')).toContain('Failed to connect to bus');
    expect(readFileSync(calls, 'utf8')).toMatch(/--user enable --now hivemesh\S*\.service/);

    const after = await service();
    expect(after?.detail).toContain(`installed (${s.file})`);
    expect(after?.detail).toContain('state unknown');

    expect((await mesh(['service', 'uninstall'], env)).code).toBe(0);
    expect(existsSync(s.file)).toBe(false);
    expect((await service())?.detail).toContain('not installed');
  });
});
