import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/meshHosts.js';

interface Doctor {
  healthy: boolean;
  checks: { check: string; status: 'ok' | 'warn' | 'fail'; detail: string }[];
}

/** `mesh doctor` judges the running daemon end to end, and fails (exit 1) when it is not healthy. */
describe('mesh doctor', () => {
  const hosts: TestHost[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.dispose();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('checks a running daemon: indexes, replication, documents, and better-sqlite3', async () => {
    const host = await TestHost.create('a');
    hosts.push(host);
    await host.start();
    const r = await host.cli(['doctor', '--json']);
    const doctor = JSON.parse(r.stdout) as Doctor;
    const status = (name: string) => doctor.checks.find((c) => c.check === name)?.status;
    expect(r.code).toBe(0);
    expect(doctor.healthy).toBe(true);
    for (const name of ['daemon', 'keyword index', 'replication', 'documents', 'addon better-sqlite3']) expect(status(name), name).toBe('ok');
  });

  it('fails when replication cannot listen (the daemon serves locally, doctor used to say all ok)', async () => {
    const host = await TestHost.create('a');
    hosts.push(host);
    // Someone else holds the host's port: libp2p cannot listen, the daemon serves this host only.
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((resolve) => taken.listen(host.port, '127.0.0.1', resolve));
    await host.start();
    const r = await host.cli(['doctor', '--json']);
    const doctor = JSON.parse(r.stdout) as Doctor;
    expect(r.code).toBe(1);
    expect(doctor.healthy).toBe(false);
    expect(doctor.checks.find((c) => c.check === 'replication')).toMatchObject({ status: 'fail' });
    expect(doctor.checks.find((c) => c.check === 'daemon')).toMatchObject({ status: 'ok' });
  });

  it('a daemon that does not answer is a failure, never "not running"', async () => {
    const host = await TestHost.create('a');
    hosts.push(host);
    await host.start();
    const pid = Number((await host.json<{ pid: number }>(['status'])).pid);
    process.kill(pid, 'SIGSTOP');
    try {
      const r = await host.cli(['doctor', '--json']);
      const doctor = JSON.parse(r.stdout) as Doctor;
      expect(r.code).toBe(1);
      expect(doctor.checks.find((c) => c.check === 'daemon')).toMatchObject({ status: 'fail' });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});
