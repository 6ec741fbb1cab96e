import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultListen, isTailscaleIPv4 } from '../../../src/sync/listenAddress.js';
import { parseTailscaleStatus, tailscaleStatus } from '../../../src/sync/tailscale.js';
import { tmpHome } from '../../helpers/tmpHome.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'tailscale-status.json');

describe('tailscale discovery', () => {
  it('parses the real `tailscale status --json` format: self address and peers with online state', () => {
    const status = parseTailscaleStatus(readFileSync(FIXTURE, 'utf8'));
    expect(status.selfIPv4).toBe('100.101.102.103');
    expect(status.peers).toEqual([
      { hostName: 'search-node-1', dnsName: 'search-node-1.tail4c2a1.ts.net', ipv4: '100.88.12.5', online: true },
      { hostName: 'laptop-ana', dnsName: 'laptop-ana.tail4c2a1.ts.net', ipv4: '100.70.3.44', online: false },
    ]);
  });

  it('takes the first IPv4 of a peer, skips peers without one, and reads a logged-out host as no peers', () => {
    const status = parseTailscaleStatus(
      JSON.stringify({
        BackendState: 'Running',
        Self: { HostName: 'me', TailscaleIPs: ['fd7a:115c:a1e0::1', '100.64.0.9'] },
        Peer: {
          'nodekey:aa': { HostName: 'v6-only', DNSName: 'v6-only.tail.ts.net.', TailscaleIPs: ['fd7a:115c:a1e0::2'], Online: true },
          'nodekey:bb': { HostName: 'db-1', DNSName: 'db-1.tail.ts.net.', TailscaleIPs: ['fd7a:115c:a1e0::3', '100.64.0.10'], Online: true, ExtraField: { nested: true } },
          'nodekey:cc': { HostName: 'new-node', TailscaleIPs: null },
        },
      }),
    );
    expect(status).toEqual({ selfIPv4: '100.64.0.9', peers: [{ hostName: 'db-1', dnsName: 'db-1.tail.ts.net', ipv4: '100.64.0.10', online: true }] });
    expect(parseTailscaleStatus(JSON.stringify({ BackendState: 'NeedsLogin', Self: { TailscaleIPs: null }, Peer: null }))).toEqual({ selfIPv4: undefined, peers: [] });
    expect(() => parseTailscaleStatus('not json')).toThrow();
    expect(() => parseTailscaleStatus(JSON.stringify({ Peer: { x: { TailscaleIPs: 'not-a-list' } } }))).toThrow();
  });

  it('runs a tailscale executable found by name, and answers undefined when it fails or is missing', async () => {
    // A stand-in for the real CLI (outside this machine), printing the real program's output format.
    const home = tmpHome();
    try {
      const fake = join(home.dir, 'tailscale');
      writeFileSync(fake, `#!/bin/sh\n[ "$1" = status ] && [ "$2" = --json ] && cat '${FIXTURE}' && exit 0\nexit 1\n`);
      chmodSync(fake, 0o755);
      expect((await tailscaleStatus(fake))?.peers.map((p) => p.hostName)).toEqual(['search-node-1', 'laptop-ana']);
      const broken = join(home.dir, 'broken');
      writeFileSync(broken, '#!/bin/sh\necho "failed to connect to local tailscaled" >&2\nexit 1\n');
      chmodSync(broken, 0o755);
      expect(await tailscaleStatus(broken)).toBeUndefined();
      expect(await tailscaleStatus(join(home.dir, 'does-not-exist'))).toBeUndefined();
    } finally {
      home.cleanup();
    }
  });

  it('listens on the tailnet address when there is one, else loopback — never every interface', () => {
    expect(isTailscaleIPv4('100.64.0.1')).toBe(true);
    expect(isTailscaleIPv4('100.127.255.254')).toBe(true);
    expect(isTailscaleIPv4('100.128.0.1')).toBe(false);
    expect(isTailscaleIPv4('10.0.0.1')).toBe(false);
    expect(defaultListen(7411, '100.88.12.5')).toEqual(['/ip4/100.88.12.5/tcp/7411']);
    expect(defaultListen(7411, undefined)).toEqual(['/ip4/127.0.0.1/tcp/7411']);
  });
});
