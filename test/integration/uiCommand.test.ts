import { statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/home.js';
import { CONTENT_SECURITY_POLICY } from '../../src/ui/uiSecurity.js';
import { freePort, TestHost } from '../helpers/meshHosts.js';

interface Opened {
  url: string;
  port: number;
  access: 'read' | 'write';
}

/** `mesh ui` without a browser: ports, tokens, 401 and headers (the browser tests are in test/ui). */
describe('mesh ui (command and server, no browser)', () => {
  let host: TestHost;
  let blocker: Server | undefined;

  beforeAll(async () => {
    host = await TestHost.create('ui-cli');
    await host.start();
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    await host?.dispose();
  });

  it('prints a URL on 127.0.0.1 with a read token, keeps its port, and makes owner-only tokens', async () => {
    const port = await freePort();
    const first = await host.json<Opened>(['ui', '--port', String(port)]);
    expect(first).toMatchObject({ port, access: 'read' });
    expect(new URL(first.url).hostname).toBe('127.0.0.1');
    const again = await host.json<Opened>(['ui', '--write']);
    expect(again.port).toBe(port);
    expect(again.access).toBe('write');
    expect(statSync(homePaths(host.home.dir).uiTokens).mode & 0o777).toBe(0o600);
    const plain = await host.cli(['ui']);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim()).toBe(first.url);
  });

  it('answers 401 without the token and sends the security headers with every answer', async () => {
    const { url, port } = await host.json<Opened>(['ui']);
    const denied = await fetch(`http://127.0.0.1:${port}/board`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const page = await fetch(url.replace('/fleet?', '/board?'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('set-cookie')).toMatch(new RegExp(`^hivemesh_ui_${port}=[\\w-]+; Path=/; HttpOnly; SameSite=Strict$`));
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a taken port with PORT_IN_USE, and moves to a free one when asked', async () => {
    const taken = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(taken, '127.0.0.1', resolve));
    const r = await host.cli(['ui', '--port', String(taken), '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`port ${taken}.*in use`));
    // The failed move left no dashboard running: a new port starts one, and the old one is closed.
    const before = await host.json<Opened>(['ui']);
    const next = await freePort();
    const moved = await host.json<Opened>(['ui', '--port', String(next)]);
    expect(moved.port).toBe(next);
    await expect(fetch(`http://127.0.0.1:${before.port}/`)).rejects.toThrow();
    expect((await fetch(moved.url)).status).toBe(200);
    // The bare origin with the token (as people shorten it) lands on the fleet page, token checked there.
    const token = new URL(moved.url).searchParams.get('token')!;
    expect((await fetch(`http://127.0.0.1:${next}/?token=${token}`)).status).toBe(200);
  });
});
