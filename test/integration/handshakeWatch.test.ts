import { connect } from 'node:net';
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
import { MeshNode, type MeshNodeOptions } from '../../src/sync/MeshNode.js';
import { eventually } from '../helpers/meshHosts.js';

const dialer = (psk: Uint8Array) => createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionProtector: preSharedKey({ psk }) });

/**
 * The verdict on inbound connections that do not complete the handshake (src/sync/HandshakeWatch.ts),
 * on a real MeshNode and real libp2p dialers on 127.0.0.1: a wrong key is told by the first bytes
 * it sends (noise under the mesh key), whatever address it comes from — the same as a member's
 * here, as behind one NAT; a connection that closes having sent nothing is only counted, as aborted.
 */
describe('handshake watch', () => {
  const nodes: { stop: () => Promise<void> | void }[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async (n) => n.stop()));
  });

  /** A started MeshNode on 127.0.0.1 admitting everyone, with its log lines collected. */
  async function started(over: Partial<MeshNodeOptions> & { psk: string }): Promise<{ mesh: MeshNode; log: () => string }> {
    let log = '';
    const mesh = new MeshNode({
      p2pKey: await newP2pKey(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      announce: [],
      isAllowed: () => true,
      acceptUnknownInbound: () => false,
      dialTargets: () => [],
      memberAddrs: () => [],
      mdns: false,
      logger: pino({ level: 'info' }, { write: (line: string) => void (log += line) }),
      ...over,
    });
    await mesh.start();
    nodes.push(mesh);
    return { mesh, log: () => log };
  }

  it('a wrong key is counted and logged whoever shares its address; a silent connection is counted as aborted', { timeout: 120_000 }, async () => {
    const psk = await newPsk();
    const { mesh, log } = await started({ psk });
    const target = multiaddr(mesh.addrs()[0]!.replace(/\/p2p\/.*$/, ''));
    const wrongKey = new Uint8Array(95);
    generateKey(wrongKey);
    const intruder: Libp2p = await dialer(wrongKey);
    nodes.push(intruder);
    const counts = () => mesh.refusalCounts.snapshot();

    await expect(intruder.dial(target, { signal: AbortSignal.timeout(15_000) })).rejects.toThrow();
    await eventually(() => Promise.resolve(counts().wrong_mesh_key.attempts === 1), 'the wrong key to be counted');

    // A member (the right key, allowed) completes a handshake from the same address: nothing counted...
    const member: Libp2p = await dialer(new TextEncoder().encode(psk));
    nodes.push(member);
    await member.dial(target, { signal: AbortSignal.timeout(15_000) });
    // ...and the wrong key from that address is still a wrong key (one line per address per interval).
    await expect(intruder.dial(target, { signal: AbortSignal.timeout(15_000) })).rejects.toThrow();
    await eventually(() => Promise.resolve(counts().wrong_mesh_key.attempts === 2), 'the second wrong key to be counted');
    expect(log().split('\n').filter((l) => l.includes('failed the private-network handshake'))).toHaveLength(1);

    // A connection that sends nothing and closes (a port probe, a dial given up) is no wrong key.
    const port = Number(target.getComponents().find((c) => c.name === 'tcp')?.value);
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.destroy());
      s.on('error', () => undefined);
      s.on('close', () => resolve());
    });
    await eventually(() => Promise.resolve(counts().aborted_handshake.attempts === 1), `the silent connection to be counted as aborted (${JSON.stringify(counts())})`);
    expect(counts()).toMatchObject({ wrong_mesh_key: { attempts: 2 }, not_a_member: { attempts: 0 } });
  });

  /** A burst of 12 raw sockets from 127.0.0.1: libp2p lets 5 a second through and refuses the rest before any byte. */
  async function burst(port: number): Promise<void> {
    await Promise.all(
      Array.from({ length: 12 }, () => new Promise<void>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.on('data', () => s.destroy());
        s.on('error', () => undefined);
        s.on('close', () => resolve());
        setTimeout(() => s.destroy(), 3_000).unref();
      })),
    );
  }

  it('an early refusal is logged from a tailnet host we dial, and only counted from a member’s address', { timeout: 120_000 }, async () => {
    const start = async (memberAddrs: string[]) => {
      // 127.0.0.1 is a dial target (as any tailnet host is) in both cases; only the second lists it as a member's.
      const { mesh, log } = await started({ psk: await newPsk(), dialTargets: () => ['/ip4/127.0.0.1/tcp/9'], memberAddrs: () => memberAddrs });
      await burst(Number(multiaddr(mesh.addrs()[0]).getComponents().find((c) => c.name === 'tcp')?.value));
      await eventually(() => Promise.resolve(mesh.refusalCounts.snapshot().refused_before_handshake.attempts >= 7), 'the burst’s early refusals to be counted');
      return log().split('\n').filter((l) => l.includes('refused a connection before its handshake'));
    };
    expect(await start([])).toHaveLength(1);
    expect(await start(['/ip4/127.0.0.1/tcp/9'])).toHaveLength(0);
  });
});
