import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freePort, joinMesh, TestHost } from '../helpers/meshHosts.js';

/**
 * A stand-in `tailscale` CLI (the real one talks to tailscaled, outside this machine) that prints
 * the real `status --json` format, listing the other host at 127.0.0.1 so its daemon is reachable.
 */
function fakeTailscale(dir: string): string {
  const status = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'tailscale-status.json'), 'utf8')) as { Peer: Record<string, { TailscaleIPs: string[] }> };
  for (const peer of Object.values(status.Peer)) peer.TailscaleIPs = ['127.0.0.1'];
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'status.json'), JSON.stringify(status));
  writeFileSync(join(dir, 'tailscale'), `#!/bin/sh\n[ "$1" = status ] && cat '${join(dir, 'status.json')}' && exit 0\nexit 1\n`);
  chmodSync(join(dir, 'tailscale'), 0o755);
  return dir;
}

describe('discovery through the tailnet', () => {
  const hosts: TestHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
  });

  it('members whose recorded addresses went stale find each other through `tailscale status --json`', { timeout: 120_000 }, async () => {
    const a = await TestHost.create('tail-a');
    const b = await TestHost.create('tail-b');
    hosts.push(a, b);
    await a.start();
    await joinMesh(a, b);
    await b.stop();
    await a.stop();

    // Both come back on other ports: each one's record of the other's address is now wrong, and
    // alpha does no discovery, so only bravo's tailnet lookup can bring them together.
    a.port = await freePort();
    b.port = await freePort();
    await a.start();
    writeFileSync(join(b.home.dir, 'config.json'), JSON.stringify({ discovery: { tailscale: true, port: a.port } }));
    const bin = fakeTailscale(join(b.home.dir, 'fake-bin'));
    await b.start([], { discovery: true, env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` } });

    const id = await a.store('found through the tailnet zqtailnet');
    await eventually(async () => (await b.search('zqtailnet')).some((r) => r.id === id), 'the write on bravo', 60_000);
    const peers = await b.json<{ peers: { name: string; connected: boolean }[] }>(['peers']);
    expect(peers.peers.find((p) => p.name === 'tail-a')?.connected).toBe(true);
  });
});
