import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useJoinedPair } from '../helpers/joinedPair.js';
import { filesContaining } from '../helpers/tmpHome.js';
import { eventually, TestHost } from '../helpers/meshHosts.js';

describe('replication between daemons on 127.0.0.1', () => {
  const pair = useJoinedPair();
  const hosts = pair.hosts;
  let a: TestHost;
  let b: TestHost;
  beforeAll(() => {
    ({ a, b } = pair);
  });

  it('a write on one host is searchable on the other, both ways', async () => {
    const id = await a.store('kafka-broker-7 consumer lag alarm fired at 03:10 zqalphaone');
    await eventually(async () => (await b.search('zqalphaone')).some((r) => r.id === id), 'alpha write on bravo');
    const id2 = await b.store('pg-replica-2 vacuum took 40 minutes zqbravotwo', ['--category', 'incidents']);
    await eventually(async () => (await a.search('zqbravotwo')).some((r) => r.id === id2), 'bravo write on alpha');
    const onA = await a.json<{ id: string; machine: string }>(['get', id2]);
    expect(onA.machine).toBe('bravo');
  });

  it('private memories never leave the host; team memories go only to hosts sharing a team', async () => {
    const secret = await a.store('private note about laptop wifi zqprivatethree', ['--scope', 'private']);
    const team = await a.store('team-only note zqteamfour', ['--scope', 'team']);
    const marker = await a.store('mesh marker after the private one zqmarkerfive');
    await eventually(async () => (await b.search('zqmarkerfive')).some((r) => r.id === marker), 'marker on bravo');
    await b.json(['sync']);
    expect(await b.search('zqprivatethree')).toEqual([]);
    expect(await b.search('zqteamfour')).toEqual([]);
    expect((await b.cli(['get', secret])).code).toBe(3);
    expect((await b.cli(['get', team])).code).toBe(3);
    expect(await filesContaining(b.home.dir, 'zqprivatethree')).toEqual([]);
  });

  it('a hard delete becomes a signed tombstone that erases the memory on every host', async () => {
    const token = `zqerase${Date.now().toString(36)}`;
    const id = await a.store(`leaked credential ${token}`);
    await eventually(async () => (await b.search(token)).length === 1, 'memory on bravo');
    await a.json(['rm', id, '--hard']);
    await eventually(async () => (await b.cli(['get', id])).stderr.includes('was erased'), 'erasure on bravo');
    await eventually(async () => (await filesContaining(b.home.dir, token)).length === 0 && (await filesContaining(a.home.dir, token)).length === 0, 'token gone from both homes');
  });

  it('refuses a replayed invite, an expired invite and a host with the wrong mesh key, and survives garbage on its port', { timeout: 120_000 }, async () => {
    const { token } = await a.json<{ token: string }>(['invite']);
    const c = await TestHost.create('charlie');
    const d = await TestHost.create('delta');
    const e = await TestHost.create('echo');
    hosts.push(c, d, e);
    // charlie uses the token; delta replays it.
    expect((await c.cli(['join', token])).code).toBe(0);
    await c.start();
    const cId = await c.peerId();
    await eventually(async () => (await a.json<{ peers: { peer: string }[] }>(['peers'])).peers.some((p) => p.peer === cId), 'charlie joined');
    expect((await d.cli(['join', token])).code).toBe(0);
    await d.start();
    const dId = await d.peerId();
    // With no invite outstanding, alpha's gater refuses delta's connection outright.
    await eventually(() => Promise.resolve(a.log.includes('refused a connection from a peer that is not a member') && a.log.includes(dId)), 'replay refused by the gater');
    expect((await a.json<{ peers: { peer: string }[] }>(['peers'])).peers.some((p) => p.peer === dId)).toBe(false);
    expect(await d.search('zqalphaone')).toEqual([]);

    // An expired token is refused before anything is written.
    const { token: short } = await a.json<{ token: string }>(['invite', '--ttl', '0.0001']);
    await new Promise((r) => setTimeout(r, 500));
    const late = await e.cli(['join', short]);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/expired/);

    // echo is a separate mesh (its own key) told to dial alpha: the pnet handshake fails.
    await e.start(['--peer', a.addr]);
    const eId = await e.peerId();
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await e.json<{ replication: { peers: { peer: string; connected: boolean }[] } }>(['status'])).replication.peers.filter((p) => p.connected)).toEqual([]);
    expect((await a.json<{ peers: { peer: string }[] }>(['peers'])).peers.some((p) => p.peer === eId)).toBe(false);

    // Garbage bytes and a malformed frame on alpha's libp2p port: alpha keeps serving and syncing.
    for (const junk of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(4096, 0xff), Buffer.from([0x13, ...Buffer.from('/multistream/1.0.0\n'), 0xff, 0xff])]) {
      await new Promise<void>((resolve) => {
        const s = connect(a.port, '127.0.0.1', () => s.end(junk));
        // A short junk prefix leaves the handshake waiting for more bytes: give up after a while.
        const timer = setTimeout(() => s.destroy(), 2_000);
        s.on('error', () => undefined);
        s.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const after = await a.store('still replicating after garbage zqgarbagesix');
    await eventually(async () => (await b.search('zqgarbagesix')).some((r) => r.id === after), 'write after garbage on bravo');
  });
});
