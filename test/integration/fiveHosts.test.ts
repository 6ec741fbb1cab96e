import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, grantAdmin, joinMesh, TestHost } from '../helpers/meshHosts.js';

interface PeerRow {
  peer: string;
  name: string;
  removed: boolean;
  connected: boolean;
}

const peersOf = async (h: TestHost) => (await h.json<{ peers: PeerRow[] }>(['peers'])).peers;

/**
 * Five daemons, all invited by the founder (a star of invites, where meshOfFive.test.ts chains
 * them): the others learn of each other only through the replicated membership document. Then a
 * member is removed by a host that did not invite it, and the mesh shuts it out.
 */
describe('five hosts invited by one founder', () => {
  const hosts: TestHost[] = [];
  const tokens: string[] = [];
  let stranger: TestHost | undefined;
  let newcomer: TestHost | undefined;

  beforeAll(async () => {
    for (const name of ['f1', 'f2', 'f3', 'f4', 'f5']) hosts.push(await TestHost.create(name));
    const [founder, ...others] = hosts as [TestHost, ...TestHost[]];
    await founder.start();
    // One invite per newcomer: each token is good for exactly one host.
    for (const h of others) {
      const { token } = await founder.json<{ token: string }>(['invite']);
      tokens.push(token);
      const j = await h.cli(['join', token]);
      if (j.code !== 0) throw new Error(j.stderr);
    }
    await Promise.all(others.map((h) => h.start()));
    for (const h of hosts) {
      await eventually(async () => (await peersOf(h)).filter((p) => !p.removed && p.connected).length === 5, `${h.name} connected to all five members`, 90_000);
    }
  }, 240_000);
  afterAll(async () => {
    await Promise.all([...hosts, stranger, newcomer].flatMap((h) => (h ? [h.dispose()] : [])));
  });

  it('a write on any host is searchable on every other host', { timeout: 120_000 }, async () => {
    const writes = await Promise.all(hosts.map((h, i) => h.store(`star mesh marker zqstar${'abcde'[i]} from ${h.name}`)));
    for (const h of hosts) {
      for (const [i, id] of writes.entries()) {
        await eventually(async () => (await h.search(`zqstar${'abcde'[i]}`)).some((r) => r.id === id), `write ${i} on ${h.name}`, 60_000);
      }
    }
  });

  it('`mesh peers remove` on one host removes the member everywhere; its connections are refused and it receives no new writes', { timeout: 150_000 }, async () => {
    const [f1, , f3, f4, f5] = hosts as [TestHost, TestHost, TestHost, TestHost, TestHost];
    const f5Id = await f5.peerId();
    // Only admins remove: f3 is refused until the creator makes it an admin; then f3 removes f5,
    // though f1 invited it.
    const refused = await f3.cli(['peers', 'remove', 'f5', '--json']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/only an admin removes members/);
    await grantAdmin(f1, f3);
    const removal = await f3.cli(['peers', 'remove', 'f5']);
    expect(removal.stderr).toBe('');
    expect(removal.code).toBe(0);
    for (const h of hosts.slice(0, 4)) {
      await eventually(async () => (await peersOf(h)).some((p) => p.peer === f5Id && p.removed && !p.connected), `${h.name} to drop f5`, 60_000);
    }

    // f5 restarts and syncs: no member lets it in. A member logs a refusal at most once (per
    // 10 min), however often f5 dials; f5, once it knows it was removed, stops dialling at all.
    await f5.stop();
    await f5.start();
    await f5.cli(['sync']);
    expect((await peersOf(f5)).filter((p) => p.peer !== f5Id && p.connected)).toEqual([]);
    for (const h of hosts.slice(0, 4)) expect(h.log.split('\n').filter((l) => l.includes('refused a connection') && l.includes(f5Id)).length).toBeLessThanOrEqual(1);

    // A write made after the removal reaches the members, and never f5 (not even when f5 asks).
    const after = await f1.store('written after f5 was removed zqafterstar');
    await eventually(async () => (await f4.search('zqafterstar')).some((r) => r.id === after), 'the write on f4', 60_000);
    await f5.cli(['sync']);
    expect(await f5.search('zqafterstar')).toEqual([]);
    expect((await f5.cli(['get', after])).code).not.toBe(0);
    // Nor does anything f5 writes now reach the mesh.
    const orphan = await f5.store('written by the removed host zqorphan');
    await f5.cli(['sync']);
    await f1.cli(['sync']);
    expect((await f1.cli(['get', orphan])).code).not.toBe(0);
  });

  it('a host that joins after an erasure learns it, though the eraser is a member it has not heard of yet', { timeout: 120_000 }, async () => {
    const [f1, f2, f3, f4] = hosts as [TestHost, TestHost, TestHost, TestHost];
    const doomed = await f2.store('erased before the newcomer arrives zqdoomed');
    await eventually(async () => (await f1.cli(['get', doomed])).code === 0, 'the memory on f1', 60_000);
    expect((await f2.cli(['rm', doomed, '--hard'])).code).toBe(0);
    await eventually(async () => /was erased/.test((await f1.cli(['get', doomed])).stderr), 'the erasure on f1', 60_000);
    // Only the inviter stays up, so the newcomer can learn the erasure from nobody else, and
    // its first pull sees f2's signed tombstone before the membership document naming f2.
    await Promise.all([f2.stop(), f3.stop(), f4.stop()]);
    newcomer = await TestHost.create('f6');
    await joinMesh(f1, newcomer);
    await eventually(async () => /was erased/.test((await newcomer!.cli(['get', doomed])).stderr), 'the erasure on the newcomer', 60_000);
    expect(newcomer.log).not.toMatch(/rejected a tombstone/);
  });

  it('a used invite token is refused to anyone else, even while the inviter has another invite open', { timeout: 120_000 }, async () => {
    const f1 = hosts[0]!;
    // An open invite makes f1 accept connections from unknown peers (for the join protocol only).
    await f1.json(['invite']);
    stranger = await TestHost.create('stranger');
    const j = await stranger.cli(['join', tokens[0]!]);
    expect(j.code).toBe(0);
    await stranger.start();
    const status = await eventually(
      async () => {
        const s = await stranger!.json<{ replication: { joining: { error: string | null } | null } }>(['status']);
        return s.replication.joining?.error ? s.replication.joining : undefined;
      },
      'the stranger to be refused',
      60_000,
    );
    expect(status.error).toMatch(/already used/);
    const strangerId = await stranger.peerId();
    expect((await peersOf(f1)).some((p) => p.peer === strangerId)).toBe(false);
  });
});
