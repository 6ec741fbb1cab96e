import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faketimeAvailable } from '../helpers/faketime.js';
import { forgeMembershipOps } from '../helpers/forge.js';
import { forgeTeamMemory } from '../helpers/forgeTeamWrite.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

interface TeamView {
  team: string;
  my_role: string | null;
  members: { peer: string; name: string; role: string; expires_at: string | null }[];
}
interface Rejected {
  collection: string;
  id: string;
  reason: string;
}

const roleIn = async (h: TestHost, team: string, peer: string) => (await h.json<TeamView>(['team', 'show', team])).members.find((m) => m.peer === peer)?.role;
const rejectedOn = async (h: TestHost) => (await h.json<{ replication: { rejected_documents: Rejected[] } }>(['status'])).replication.rejected_documents;
const trustRejections = async (h: TestHost) => (await h.json<{ replication: { trust: { rejected: { reason: string; kind?: string; by?: string }[] } } }>(['status'])).replication.trust.rejected;

/**
 * Issue 12, teams with roles, across three daemons: alpha (mesh admin, owner of team ops),
 * bravo (member of ops), charlie (readonly in ops, then a guest). Rights are checked on the
 * signed content where each replica applies it, so a compromised charlie (files edited with the
 * project's own modules, daemon restarted) changes nothing on alpha or bravo.
 */
describe('teams with roles, checked where replicas merge', () => {
  const hosts: TestHost[] = [];
  let a: TestHost;
  let b: TestHost;
  let c: TestHost;
  let ids: { a: string; b: string; c: string };

  beforeAll(async () => {
    a = await TestHost.create('alpha');
    b = await TestHost.create('bravo');
    c = await TestHost.create('charlie');
    hosts.push(a, b, c);
    await a.start();
    await joinMesh(a, b);
    await joinMesh(a, c);
    ids = { a: await a.peerId(), b: await b.peerId(), c: await c.peerId() };
    expect((await a.cli(['team', 'create', 'ops'])).code).toBe(0);
    expect((await a.cli(['team', 'add', 'ops', ids.b])).code).toBe(0);
    expect((await a.cli(['team', 'add', 'ops', ids.c, '--role', 'readonly'])).code).toBe(0);
    for (const h of [b, c]) await eventually(async () => (await roleIn(h, 'ops', ids.c)) === 'readonly' && (await roleIn(h, 'ops', ids.b)) === 'member', `${h.name} to see the roles in ops`, 60_000);
  }, 240_000);
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
  });

  /** A team memory written by alpha after `step`, seen on bravo: what alpha sent before it has arrived. */
  async function barrier(step: string): Promise<void> {
    const tag = `zqteambarrier${step}`;
    const id = await a.store(`team barrier ${tag}`, ['--scope', 'team', '--team', 'ops']);
    await eventually(async () => (await b.search(tag)).some((r) => r.id === id), `barrier ${step} on bravo`, 60_000);
  }

  it('shows the team with its roles on every host; a team write reaches the team', async () => {
    const t = await b.json<TeamView>(['team', 'show', 'ops']);
    expect(t.my_role).toBe('member');
    expect(Object.fromEntries(t.members.map((m) => [m.name, m.role]))).toEqual({ alpha: 'owner', bravo: 'member', charlie: 'readonly' });
    const ls = await c.json<{ teams: { team: string; members: number; my_role: string | null }[] }>(['team', 'ls']);
    expect(ls.teams).toEqual([{ team: 'ops', members: 3, my_role: 'readonly' }]);
    await barrier('first');
  });

  it('a non-admin role change is refused where it is signed, and refused on merge when forged', { timeout: 180_000 }, async () => {
    const local = await c.cli(['team', 'add', 'ops', ids.c, '--role', 'admin']);
    expect(local.code).not.toBe(0);
    expect(local.stderr).toMatch(/NOT_AUTHORISED|only an owner or admin of team ops/);

    await c.stop();
    await forgeMembershipOps(c.home.dir, [{ kind: 'team', peer: ids.c, team: 'ops', role: 'admin' }]);
    await c.start();
    for (const h of [a, b]) {
      await eventually(async () => (await trustRejections(h)).some((r) => r.kind === 'team' && /only an owner or admin of team ops/.test(r.reason)) || (await rejectedOn(h)).some((r) => r.collection === 'mesh'), `${h.name} to refuse charlie's self-promotion`, 60_000);
      expect(await roleIn(h, 'ops', ids.c)).toBe('readonly');
    }
    const activity = await a.json<{ membership: { member: string; role: string; counted: boolean }[] }>(['team', 'activity', 'ops']);
    expect(activity.membership.filter((m) => m.member === 'charlie').map((m) => m.role)).toContain('readonly');
  });

  it('a readonly member\'s team write is refused by its own host, and by every replica when forged', { timeout: 180_000 }, async () => {
    const local = await c.cli(['store', 'readonly note zqreadonlylocal', '--scope', 'team', '--team', 'ops']);
    expect(local.code).not.toBe(0);
    expect(local.stderr).toMatch(/readonly in team ops/);

    await c.stop();
    const forged = await forgeTeamMemory(c.home.dir, 'ops', 'readonly member writes anyway zqreadonlyforged');
    await c.start();
    for (const h of [a, b]) {
      await eventually(async () => (await rejectedOn(h)).some((r) => r.id === forged && /readonly member/.test(r.reason)), `${h.name} to refuse charlie's forged team write`, 60_000);
      expect((await h.cli(['get', forged])).code).toBe(3);
    }
  });

  it.skipIf(!faketimeAvailable())('an expired guest\'s write is refused on every replica, by each replica\'s own clock', { timeout: 240_000 }, async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    expect((await a.cli(['team', 'add', 'ops', ids.c, '--role', 'guest', '--expires', inAnHour])).code).toBe(0);
    for (const h of [b, c]) await eventually(async () => (await roleIn(h, 'ops', ids.c)) === 'guest', `${h.name} to see charlie as a guest`, 60_000);
    // While the grant is live, the guest writes like a member.
    const live = await c.store('guest note while live zqguestlive', ['--scope', 'team', '--team', 'ops']);
    await eventually(async () => (await b.search('zqguestlive')).some((r) => r.id === live), 'the live guest write on bravo', 60_000);

    // Two hours later on alpha and bravo; the guest's own clock is slow and still thinks it is live.
    await Promise.all([a.stop(), b.stop()]);
    await a.start([], { faketime: '+2 hours' });
    await b.start([], { faketime: '+2 hours' });
    // Connected again, so the guest's daemon pushes its write at once (a replica whose clock says the
    // grant is over no longer asks the guest for team documents: the push is the way in).
    const connected = async () => (await c.json<{ peers: { peer: string; connected: boolean }[] }>(['peers'])).peers.filter((p) => p.connected && (p.peer === ids.a || p.peer === ids.b)).length === 2;
    await eventually(connected, 'charlie connected to alpha and bravo again', 90_000);
    const late = await c.store('guest note after expiry zqguestlate', ['--scope', 'team', '--team', 'ops']);
    for (const h of [a, b]) {
      await eventually(async () => (await rejectedOn(h)).some((r) => r.id === late && /not in team ops \(or its guest grant expired/.test(r.reason)), `${h.name} to refuse the expired guest's write`, 90_000).catch(async (err: Error) => {
        throw new Error(`${err.message}; get there: ${(await h.cli(['get', late])).code}; rejected there: ${JSON.stringify(await rejectedOn(h))}\n${h.log.split('\n').filter((l) => /refused|guard|skew|charlie/.test(l)).slice(-10).join('\n')}`);
      });
      expect((await h.cli(['get', late])).code).toBe(3);
      expect((await h.cli(['get', live])).code).toBe(0);
    }
    // By their clocks the guest is no longer in the team.
    expect((await a.json<TeamView>(['team', 'show', 'ops'])).members.find((m) => m.peer === ids.c)).toMatchObject({ role: 'guest', expired: true });
  });
});
