import { afterAll, describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/meshHosts.js';

/** `--announce`: the address other hosts are told to dial (a port forward or relay), not the listen address. */
describe('announce addresses', () => {
  const hosts: TestHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
  });

  it('records and advertises the announced address instead of the listen address', { timeout: 60_000 }, async () => {
    const a = await TestHost.create('announcer');
    hosts.push(a);
    const announced = '/ip4/127.0.0.1/tcp/65001';
    await a.start(['--announce', announced]);
    const status = await a.json<{ replication: { peer_id: string; listen: string[] } }>(['status']);
    expect(status.replication.listen).toEqual([`${announced}/p2p/${status.replication.peer_id}`]);
    // The membership record (what other hosts dial) carries it too.
    const peers = await a.json<{ peers: { self: boolean; addrs: string[] }[] }>(['peers']);
    expect(peers.peers.find((p) => p.self)?.addrs).toEqual([`${announced}/p2p/${status.replication.peer_id}`]);
  });
});
