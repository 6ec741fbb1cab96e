import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { daemonPid, MESH_BIN, TEST_ENV, mesh } from '../helpers/cli.js';
import { filesContaining, tmpHome } from '../helpers/tmpHome.js';

/** Starts `mesh daemon` in the foreground and resolves once it logs that it is ready. */
function foregroundDaemon(home: string) {
  const child = spawn(process.execPath, [MESH_BIN, 'daemon', '--home', home], { env: { ...process.env, ...TEST_ENV, MESH_LOG: 'info' } });
  let stderr = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('daemon ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited, stderr: () => stderr };
}

describe('mesh CLI', () => {
  const home = tmpHome();
  afterAll(async () => {
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  });

  it('status without a daemon fails with a one-line reason and exit 4', async () => {
    const r = await mesh(['status', '--home', home.dir]);
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^mesh: no daemon is listening/);
  });

  it('stop runs on its own small entry and answers as the full CLI does: stopped, no daemon, bad options', async () => {
    const stopHome = tmpHome();
    try {
      await mesh(['init', '--home', stopHome.dir, '--name', 'stop-host']);
      expect((await mesh(['store', 'a note, so the daemon starts', '--home', stopHome.dir])).code).toBe(0);
      const pid = daemonPid(stopHome.dir);
      const r = await mesh(['stop', '--home', stopHome.dir, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ stopped: true, pid });
      expect(() => process.kill(pid, 0)).toThrow();
      // No daemon: the same one-line reason and exit code as any command that needs one.
      const none = await mesh(['stop', '--home', stopHome.dir]);
      expect(none.code).toBe(4);
      expect(none.stderr).toMatch(/^mesh: no daemon is listening/);
      // What the small entry does not parse goes to the full CLI: a usage error, and help.
      expect((await mesh(['stop', '--home', stopHome.dir, '--bogus'])).code).toBe(2);
      expect((await mesh(['stop', '--help'])).stdout).toContain('stop the background daemon');
    } finally {
      stopHome.cleanup();
    }
  });

  it('init is idempotent', async () => {
    const a = JSON.parse((await mesh(['init', '--home', home.dir, '--name', 'cli-host', '--json'])).stdout) as { created: boolean; host_id: string };
    const b = JSON.parse((await mesh(['init', '--home', home.dir, '--json'])).stdout) as { created: boolean; host_id: string };
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ created: false, host_id: a.host_id });
  });

  it('runs in the foreground, clears a stale socket, refuses a second daemon, stops cleanly on SIGTERM', async () => {
    writeFileSync(join(home.dir, 'daemon.sock'), 'stale');
    const d = foregroundDaemon(home.dir);
    await d.ready;
    const second = await mesh(['daemon', '--home', home.dir]);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(/already running .*pid \d+/);

    const stored = await mesh(['store', 'written before SIGTERM', '--home', home.dir, '--json']);
    const { id } = JSON.parse(stored.stdout) as { id: string };
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(existsSync(join(home.dir, 'daemon.sock'))).toBe(false);
    expect(existsSync(join(home.dir, 'daemon.pid'))).toBe(false);

    // Data commands start a background daemon when none runs.
    const got = await mesh(['get', id, '--home', home.dir, '--json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ id, content: 'written before SIGTERM' });
  });

  it('prints one JSON document for --json and validates input', async () => {
    const s = await mesh(['store', 'redis-cache-4 evicting keys, maxmemory 2gb', '--category', 'monitoring', '--tags', 'redis,cache', '--project', 'infra', '--home', home.dir, '--json']);
    expect(s.code).toBe(0);
    const { id } = JSON.parse(s.stdout) as { id: string };

    const found = JSON.parse((await mesh(['search', 'maxmemory', '--limit', '5', '--home', home.dir, '--json'])).stdout) as { results: { id: string; content: string; score: number }[] };
    expect(found.results[0]).toMatchObject({ id, content: expect.stringContaining('redis-cache-4') as unknown });
    expect(typeof found.results[0]?.score).toBe('number');

    const doc = JSON.parse((await mesh(['doc', id, '--history', '--home', home.dir, '--json'])).stdout) as { history: { action: string; agent: string; machine: string }[] };
    expect(doc.history[0]).toMatchObject({ action: 'create', machine: 'cli-host', agent: expect.stringMatching(/^mesh-cli:/) as unknown });

    const status = JSON.parse((await mesh(['status', '--home', home.dir, '--json'])).stdout) as { name: string; counts: { memories: number } };
    expect(status).toMatchObject({ name: 'cli-host', counts: { memories: 2 } });

    const bad = await mesh(['store', 'x', '--category', 'gossip', '--home', home.dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown category "gossip"/);
    const badLimit = await mesh(['search', 'x', '--limit', 'lots', '--home', home.dir]);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toMatch(/limit/);
    const missing = await mesh(['get', 'no-such-id', '--home', home.dir]);
    expect(missing.code).toBe(3);

    const doctor = JSON.parse((await mesh(['doctor', '--home', home.dir, '--json'])).stdout) as { healthy: boolean; checks: { check: string; status: string }[] };
    expect(doctor.healthy).toBe(true);
    expect(doctor.checks.find((c) => c.check === 'daemon')?.status).toBe('ok');
  });

  it('hard delete erases the content from every file in the home', async () => {
    const token = `canary-${Date.now().toString(36)}-qx9`;
    const { id } = JSON.parse((await mesh(['store', `db password leaked: ${token}`, '--home', home.dir, '--json'])).stdout) as { id: string };
    expect((await filesContaining(home.dir, token)).length).toBeGreaterThan(0);
    const rm = await mesh(['rm', id, '--hard', '--home', home.dir, '--json']);
    expect(JSON.parse(rm.stdout)).toMatchObject({ id, hard: true });
    expect(await filesContaining(home.dir, token)).toEqual([]);
    const gone = await mesh(['get', id, '--home', home.dir]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/was erased/);
    // Still gone after a restart (nothing re-imported from the index or the log).
    await mesh(['stop', '--home', home.dir]);
    // Keyword mode is literal: the token itself must be gone. Hybrid may find other memories through the thesaurus ("canary" deploys), never this one.
    expect((await mesh(['search', token, '--mode', 'keyword', '--home', home.dir, '--json'])).stdout).toContain('"results": []');
    const hybrid = JSON.parse((await mesh(['search', token, '--home', home.dir, '--json'])).stdout) as { results: { id: string }[] };
    expect(hybrid.results.map((r) => r.id)).not.toContain(id);
    expect(await filesContaining(home.dir, token)).toEqual([]);
  });
});
