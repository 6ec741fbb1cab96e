import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/home.js';
import { UI_MAX_BODY_BYTES, UI_MAX_EVENT_CLIENTS } from '../../src/constants.js';
import { CONTENT_SECURITY_POLICY } from '../../src/ui/uiSecurity.js';
import { mesh } from '../helpers/cli.js';
import { eventually, freePort, TestHost } from '../helpers/meshHosts.js';

/** Whether a TCP connection to host:port is accepted (true) or refused (false). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

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

  it('listens on 127.0.0.1 only: another loopback address and the machine\'s own addresses are refused', async () => {
    const { port } = await host.json<Opened>(['ui']);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    // A server bound to 0.0.0.0 (every interface) accepts 127.0.0.2 as well: this is the check that can fail.
    const others = ['127.0.0.2', ...Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((i) => !i.internal && i.family === 'IPv4').map((i) => i.address))];
    for (const address of others) expect(await accepts(address, port), address).toBe(false);
  });

  it('--open hands the printed URL, as one argument, to the desktop opener', async () => {
    // A stand-in for xdg-open (outside this program): it records the arguments it was given.
    const bin = mkdtempSync(join(tmpdir(), 'mh-opener-'));
    try {
      const record = join(bin, 'opened.txt');
      writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$#" "$@" > ${record}.tmp && mv ${record}.tmp ${record}\n`);
      chmodSync(join(bin, 'xdg-open'), 0o755);
      const r = await mesh(['ui', '--open', '--home', host.home.dir], { PATH: `${bin}:${process.env['PATH'] ?? ''}` });
      expect(r.code, r.stderr).toBe(0);
      const url = r.stdout.trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fleet\?token=[\w-]+$/);
      const opened = await eventually(() => Promise.resolve(existsSync(record) ? readFileSync(record, 'utf8') : undefined), 'the opener to be started');
      expect(opened).toBe(`1\n${url}\n`);
      // A host without a desktop opener (a server): the URL is still printed, with a hint, and the command succeeds.
      const bare = await mesh(['ui', '--open', '--home', host.home.dir], { PATH: join(bin, 'empty') });
      expect(bare.code, bare.stderr).toBe(0);
      expect(bare.stdout.trim()).toBe(url);
      expect(bare.stderr).toMatch(/could not start xdg-open/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
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

  it('caps the open event streams and the size of a request body', async () => {
    const { url, port } = await host.json<Opened>(['ui', '--write']);
    const auth = { Authorization: `Bearer ${new URL(url).searchParams.get('token')!}` };
    const streams: AbortController[] = [];
    try {
      for (let i = 0; i < UI_MAX_EVENT_CLIENTS; i++) {
        const ac = new AbortController();
        streams.push(ac);
        const res = await fetch(`http://127.0.0.1:${port}/events`, { headers: auth, signal: ac.signal });
        expect(res.status).toBe(200);
        // Read up to the first event: the stream is registered by then.
        await res.body!.getReader().read();
      }
      expect((await fetch(`http://127.0.0.1:${port}/events`, { headers: auth })).status).toBe(503);
    } finally {
      for (const ac of streams) ac.abort();
    }
    // Closed streams give their places back (a tab closed is not a place lost).
    await eventually(async () => {
      const ac = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/events`, { headers: auth, signal: ac.signal });
      ac.abort();
      return res.status === 200;
    }, 'a closed event stream to free its place');
    const big = await fetch(`http://127.0.0.1:${port}/api/tasks/x/comment`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ comment: 'x'.repeat(UI_MAX_BODY_BYTES) }) });
    expect(big.status).toBe(413);
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
