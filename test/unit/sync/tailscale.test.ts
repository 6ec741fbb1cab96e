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
