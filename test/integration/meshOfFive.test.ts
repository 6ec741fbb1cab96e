import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, grantAdmin, joinMesh, TestHost } from '../helpers/meshHosts.js';

describe('a mesh of five daemons', () => {
  const hosts: TestHost[] = [];

  beforeAll(async () => {
    for (const name of ['h1', 'h2', 'h3', 'h4', 'h5']) hosts.push(await TestHost.create(name));
    await hosts[0]!.start();
    // Each newcomer joins through a different existing member: invites are single-use, and only
    // admins invite, so the creator first makes each inviter an admin.
    for (let i = 1; i < hosts.length; i++) {
      if (i > 1) await grantAdmin(hosts[0]!, hosts[i - 1]!);
      await joinMesh(hosts[i - 1]!, hosts[i]!);
    }
    // Four joins and three admin grants, each waiting for replication: 300 s, not 180 s as before the grants.
  }, 300_000);
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
  });

  it('every host learns every member, and a write on any host is searchable on all others', { timeout: 120_000 }, async () => {
    for (const h of hosts) {
      await eventually(async () => (await h.json<{ peers: { removed: boolean }[] }>(['peers'])).peers.filter((p) => !p.removed).length === 5, `${h.name} to know all five members`, 60_000);
    }
    const writes = await Promise.all(hosts.map((h, i) => h.store(`five-host marker zqfive${'abcde'[i]} from ${h.name}`)));
    for (const h of hosts) {
      for (const [i, id] of writes.entries()) {
        await eventually(async () => (await h.search(`zqfive${'abcde'[i]}`)).some((r) => r.id === id), `write ${i} on ${h.name}`, 60_000);
      }
    }
  });

  it('a removed member is taken out everywhere and receives nothing new', { timeout: 120_000 }, async () => {
    const [h1, , , , h5] = hosts as [TestHost, TestHost, TestHost, TestHost, TestHost];
    const h5Id = await h5.peerId();
    const removal = await h1.cli(['peers', 'remove', 'h5']);
    expect(removal.stderr).toBe('');
    expect(removal.code).toBe(0);
    for (const h of hosts.slice(0, 4)) {
      await eventually(async () => (await h.json<{ peers: { peer: string; removed: boolean; connected: boolean }[] }>(['peers'])).peers.some((p) => p.peer === h5Id && p.removed && !p.connected), `${h.name} to drop h5`, 60_000);
    }
    const after = await h1.store('written after h5 was removed zqafterremoval');
    await eventually(async () => (await hosts[3]!.search('zqafterremoval')).some((r) => r.id === after), 'the write on h4', 60_000);
    await h5.json(['sync']).catch(() => undefined);
    expect(await h5.search('zqafterremoval')).toEqual([]);
  });
});
