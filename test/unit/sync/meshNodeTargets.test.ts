import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { newP2pKey } from '../../../src/identity/HostIdentity.js';
import { silentLogger } from '../../../src/log.js';
import { newPsk } from '../../../src/mesh/MeshSecrets.js';
import { MeshNode } from '../../../src/sync/MeshNode.js';

/** Addresses on loopback ports nothing listens on (taken from the kernel, then freed): each dial is refused at once and backs off. */
async function closed(n: number): Promise<string[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports.push((server.address() as AddressInfo).port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return ports.map((port) => `/ip4/127.0.0.1/tcp/${port}`);
}

/**
 * A real libp2p node's redial sweep over dial targets that change (members' addresses move as
 * laptops change networks; tailnet hosts come and go): the dial state of an address no longer
 * listed is dropped, not kept for the daemon's life.
 */
describe('MeshNode dial state', () => {
  let node: MeshNode | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  it('keeps dial state only for the addresses listed now', async () => {
    let targets = await closed(10);
    node = new MeshNode({
      p2pKey: await newP2pKey(),
      psk: await newPsk(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      announce: [],
      isAllowed: () => true,
      acceptUnknownInbound: () => false,
      dialTargets: () => targets,
      memberAddrs: () => [],
      mdns: false,
      logger: silentLogger(),
    });
    await node.start();
    const first = targets;
    await expect.poll(() => first.every((t) => node!.knownTargets().includes(t)), { timeout: 10_000 }).toBe(true);
    targets = await closed(10);
    const second = targets;
    node.sweep();
    await expect.poll(() => second.every((t) => node!.knownTargets().includes(t)), { timeout: 10_000 }).toBe(true);
    node.sweep();
    expect(node.knownTargets().sort()).toEqual([...second].sort());
  });
});
