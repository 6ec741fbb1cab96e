import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Libp2p } from '@libp2p/interface';
import { generateKey, preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { newP2pKey } from '../../src/identity/HostIdentity.js';
import { newPsk } from '../../src/mesh/MeshSecrets.js';
import { MeshNode } from '../../src/sync/MeshNode.js';
import { eventually } from '../helpers/meshHosts.js';

const dialer = (psk: Uint8Array) => createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionProtector: preSharedKey({ psk }) });

/**
 * The verdict on an inbound connection that closed mid-handshake (src/sync/HandshakeWatch.ts), on
 * a real MeshNode and real libp2p dialers on 127.0.0.1: from an address that never completed a
 * handshake it is a wrong mesh key (counted and logged); from one that did, a member's dial given
 * up (counted as aborted, not logged). All dialers here share 127.0.0.1, as a NAT would.
 */
describe('handshake watch', () => {
  const nodes: { stop: () => Promise<void> | void }[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async (n) => n.stop()));
  });

  it('a wrong key from a fresh address is logged; from an address a member just used, only counted', { timeout: 60_000 }, async () => {
    let log = '';
    const psk = await newPsk();
    const mesh = new MeshNode({
      p2pKey: await newP2pKey(),
      psk,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      announce: [],
      isAllowed: () => true,
      acceptUnknownInbound: () => false,
      dialTargets: () => [],
      mdns: false,
      logger: pino({ level: 'info' }, { write: (line: string) => void (log += line) }),
    });
    await mesh.start();
    nodes.push(mesh);
    const target = multiaddr(mesh.addrs()[0]!.replace(/\/p2p\/.*$/, ''));
    const wrongKey = new Uint8Array(95);
    generateKey(wrongKey);
    const intruder: Libp2p = await dialer(wrongKey);
    nodes.push(intruder);

    await expect(intruder.dial(target, { signal: AbortSignal.timeout(15_000) })).rejects.toThrow();
    await eventually(() => Promise.resolve(mesh.refusalCounts.snapshot().wrong_mesh_key.attempts === 1), 'the wrong key to be counted');
    expect(log.split('\n').filter((l) => l.includes('failed the private-network handshake'))).toHaveLength(1);

    // A member (the right key, allowed) completes a handshake from the same address...
    const member: Libp2p = await dialer(new TextEncoder().encode(psk));
    nodes.push(member);
    await member.dial(target, { signal: AbortSignal.timeout(15_000) });
    // ...so the next half-done handshake from that address is taken for a member's dial given up.
    await expect(intruder.dial(target, { signal: AbortSignal.timeout(15_000) })).rejects.toThrow();
    await eventually(() => Promise.resolve(mesh.refusalCounts.snapshot().aborted_handshake.attempts === 1), 'the aborted handshake to be counted');
    expect(mesh.refusalCounts.snapshot().wrong_mesh_key.attempts).toBe(1);
  });
});
