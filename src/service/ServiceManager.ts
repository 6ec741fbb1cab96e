import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MeshError } from '../errors.js';
import { launchdLabel, launchdPlist, launchdPlistPath, serviceName, systemdUnit, systemdUnitPath, type ServiceSpec } from './serviceUnits.js';

export type Platform = 'linux' | 'darwin';

/** Runs a program; returns its exit status and output (a missing program: status null). */
export type Runner = (cmd: string, args: string[]) => { status: number | null; stdout: string; stderr: string };

export const spawnRunner: Runner = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.error ? null : r.status, stdout: r.stdout ?? '', stderr: r.error ? r.error.message : (r.stderr ?? '') };
};

export interface ServiceStatus {
  platform: Platform;
  name: string;
  file: string;
  installed: boolean;
  /** The service manager's view, when it could be asked. */
  enabled: boolean | null;
  active: boolean | null;
  /** Steps that could not run (no user bus, no launchctl), with what to do instead. */
  notes: string[];
}

/** Installs the daemon as a systemd user unit (Linux) or a launchd agent (macOS). */
export class ServiceManager {
  constructor(
    private readonly spec: ServiceSpec,
    private readonly platform: Platform,
    private readonly run: Runner = spawnRunner,
  ) {}

  static platformOf(p: NodeJS.Platform): Platform {
    if (p === 'linux' || p === 'darwin') return p;
    throw new MeshError('INVALID_INPUT', `mesh service supports Linux (systemd) and macOS (launchd), not ${p}`);
  }

  get file(): string {
    return this.platform === 'linux' ? systemdUnitPath(this.spec) : launchdPlistPath(this.spec);
  }

  /** The unit or agent file's text. */
  render(): string {
    return this.platform === 'linux' ? systemdUnit(this.spec) : launchdPlist(this.spec);
  }

  async install(): Promise<ServiceStatus> {
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(this.file, this.render(), { mode: 0o644 });
    const notes: string[] = [];
    if (this.platform === 'linux') {
      this.step(['--user', 'daemon-reload'], notes);
      this.step(['--user', 'enable', '--now', `${serviceName(this.spec)}.service`], notes);
    } else {
      await mkdir(join(this.spec.userHome, 'Library', 'Logs', 'hivemesh'), { recursive: true });
      this.launchctl(['bootout', `${this.domain()}/${launchdLabel(this.spec)}`], []);
      this.launchctl(['bootstrap', this.domain(), this.file], notes);
    }
    return { ...(await this.status()), notes };
  }

  async uninstall(): Promise<ServiceStatus> {
    const notes: string[] = [];
    if (this.platform === 'linux') this.step(['--user', 'disable', '--now', `${serviceName(this.spec)}.service`], notes);
    else this.launchctl(['bootout', `${this.domain()}/${launchdLabel(this.spec)}`], notes);
    await rm(this.file, { force: true });
    if (this.platform === 'linux') this.step(['--user', 'daemon-reload'], notes);
    return { ...(await this.status()), notes };
  }

  async status(): Promise<ServiceStatus> {
    const installed = await readFile(this.file, 'utf8').then(
      () => true,
      () => false,
    );
    const base = { platform: this.platform, name: serviceName(this.spec), file: this.file, installed, notes: [] as string[] };
    if (this.platform === 'linux') {
      const unit = `${serviceName(this.spec)}.service`;
      const enabled = this.run('systemctl', ['--user', 'is-enabled', unit]);
      const active = this.run('systemctl', ['--user', 'is-active', unit]);
      // Each answer on its own: is-enabled reads unit files, is-active needs the user bus.
      const answered = (r: { status: number | null; stderr: string }) => r.status !== null && !/Failed to connect to bus|No medium/i.test(r.stderr);
      return { ...base, enabled: answered(enabled) ? enabled.stdout.trim() === 'enabled' : null, active: answered(active) ? active.stdout.trim() === 'active' : null };
    }
    const r = this.run('launchctl', ['print', `${this.domain()}/${launchdLabel(this.spec)}`]);
    return { ...base, enabled: r.status === null ? null : r.status === 0, active: r.status === null ? null : /state = running/.test(r.stdout) };
  }

  private domain(): string {
    return `gui/${process.getuid?.() ?? 0}`;
  }

  private step(args: string[], notes: string[]): void {
    const r = this.run('systemctl', args);
    if (r.status !== 0) notes.push(`systemctl ${args.join(' ')} failed (${(r.stderr || r.stdout).trim().split('\n')[0] ?? 'no output'}); the unit file is written: run it yourself once a user session bus is available`);
  }

  private launchctl(args: string[], notes: string[]): void {
    const r = this.run('launchctl', args);
    if (r.status !== 0) notes.push(`launchctl ${args.join(' ')} failed (${(r.stderr || r.stdout).trim().split('\n')[0] ?? 'no output'})`);
  }
}
