import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCapabilityGroups } from '../../../src/config/capabilityGroups.js';
import { RosterService } from '../../../src/domain/RosterService.js';
import { silentLogger } from '../../../src/log.js';
import { ACTOR, openStack } from '../../helpers/memoryStack.js';
import { tmpHome } from '../../helpers/tmpHome.js';

describe('the roster on a real store', () => {
  let home: ReturnType<typeof tmpHome>;
  let stack: Awaited<ReturnType<typeof openStack>>;
  let roster: RosterService;
  let clock = Date.parse('2026-12-02T08:00:00Z');
  let members = new Set(['mon-eu-1', 'web-us-2']);
  let uptime = 0;
  const session = (s: string, agentId?: string) => ({ session: s, agentId, client: 'claude-code@2' });

  beforeEach(async () => {
    home = tmpHome();
    members = new Set(['mon-eu-1', 'web-us-2']);
    uptime = 0;
    stack = await openStack(home.dir, { now: () => clock });
    roster = new RosterService({
      store: stack.store,
      memories: stack.memories,
      logger: silentLogger(),
      actorId: 'aa'.repeat(16),
      machine: 'mon-eu-1',
      groups: defaultCapabilityGroups(),
      thresholds: { offlineAfterMs: 90_000, idleAfterMs: 600_000 },
      openTasks: (id) => (id.startsWith('busy') ? 2 : 0),
      forgetAfterMs: 7 * 86_400_000,
      eraser: stack.eraser,
      hostIsMember: (machine) => members.has(machine),
      now: () => clock,
      monotonic: () => uptime,
    });
    await roster.start();
  });
  afterEach(async () => {
    await roster.stop();
    await stack.close();
    home.cleanup();
  });

  it('reads a session bound here live whatever the clock does: active, idle without calls, offline when it ends', async () => {
    const a = await roster.register({ role: 'On-call SRE', capabilities: ['PagerDuty'] }, session('s1'), ACTOR);
    expect(a.id).toMatch(/^on-call-sre-mon-eu-1-[0-9a-f]{6}$/);
    expect(a).toMatchObject({ status: 'active', capability_groups: ['monitoring'], declared_capabilities: ['pagerduty'] });
    // Liveness of a session held here is this host's own observation, not a time stamp's age.
    clock += 40 * 86_400_000;
    expect(roster.entry(a.id)).toMatchObject({ status: 'idle', heartbeat_age_s: 0 });
    await roster.touch(session('s1', a.id)); // a call: counts as activity, no write
    expect(roster.entry(a.id).status).toBe('active');
    clock -= 41 * 86_400_000; // a clock set back a day: never a negative age, still live
    expect(roster.entry(a.id)).toMatchObject({ status: 'active', heartbeat_age_s: 0 });
    await roster.sessionClosed('s1');
    expect(roster.entry(a.id)).toMatchObject({ status: 'offline' });
    expect(roster.entry(a.id).ended_at).not.toBeNull();
  });

  it('credits a call to an agent only for the session this daemon bound it to; other names cannot pose as an agent id', async () => {
    const victim = await roster.register({ role: 'reviewer' }, session('victim-session'), ACTOR);
    expect(roster.caller(session('victim-session', victim.id))).toEqual({ agent: victim.id, agentId: victim.id });
    // A client naming itself after the victim, with or without claiming its id, is not the victim.
    expect(roster.caller({ session: 'impostor', agentId: victim.id, client: victim.id })).toEqual({ agent: `${victim.id} (unregistered)`, agentId: undefined });
    expect(roster.caller({ session: 'impostor', agentId: undefined, client: 'reviewer-hosta-6d403b' }).agent).toBe('reviewer-hosta-6d403b (unregistered)');
    expect(roster.caller({ session: 'impostor', agentId: undefined, client: 'claude-code@2.1' }).agent).toBe('claude-code@2.1');
    // The roster shows a hash of the session, never the session id a caller could replay.
    expect(roster.entry(victim.id).session).not.toContain('victim-session');
    await roster.touch({ session: 'impostor', agentId: victim.id, client: 'x' });
    expect(roster.caller({ session: 'impostor', agentId: victim.id, client: 'x' }).agentId).toBeUndefined();
  });

  it('keeps one id per session, refuses registration without a session, and filters', async () => {
    const a = await roster.register({ role: 'indexer' }, session('s1'), ACTOR);
    const again = await roster.register({ role: 'indexer', capabilities: ['kibana'] }, session('s1', a.id), ACTOR);
    expect(again.id).toBe(a.id);
    const b = await roster.register({ role: 'reviewer' }, session('s2'), ACTOR);
    expect(roster.roster().map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(roster.roster({ capability: 'Kibana' }).map((x) => x.id)).toEqual([a.id]);
    expect(roster.roster({ role: 'reviewer', status: 'active' }).map((x) => x.id)).toEqual([b.id]);
    await expect(roster.register({ role: 'cli' }, { session: undefined, agentId: undefined, client: 'mesh-cli' }, ACTOR)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() => roster.entry('nobody')).toThrow(/agent nobody not found/);
  });

  it('delivers broadcasts of other agents once, oldest first, starting a day back', async () => {
    const reader = await roster.register({ role: 'reader' }, session('s1'), ACTOR);
    const old = await stack.memories.store({ content: 'from before the day window', tags: ['broadcast', 'info'] }, { ...ACTOR, agent: 'other' });
    clock += 25 * 3_600_000;
    const late = await roster.register({ role: 'late-reader' }, session('s2'), ACTOR);
    const b1 = await stack.memories.store({ content: 'es-3 is read-only', tags: ['broadcast', 'warning'] }, { ...ACTOR, agent: 'sre-x' });
    clock += 1_000;
    const own = await stack.memories.store({ content: 'my own news', tags: ['broadcast', 'info'] }, { ...ACTOR, agent: late.id });
    clock += 1_000;
    const b2 = await stack.memories.store({ content: 'deploys frozen', tags: ['broadcast', 'critical'] }, { ...ACTOR, agent: 'sre-y' });
    expect((await roster.readInbox(late.id, ACTOR)).map((m) => m.id)).toEqual([b1.id, b2.id]);
    expect(await roster.readInbox(late.id, ACTOR)).toEqual([]);
    // The reader registered a day earlier: it also gets the old one, and the late reader's own news.
    expect((await roster.readInbox(reader.id, ACTOR)).map((m) => m.id)).toEqual([old.id, b1.id, own.id, b2.id]);
  });

  it('forgets agents offline for longer than the horizon, and only those', async () => {
    const gone = await roster.register({ role: 'gone' }, session('s1'), ACTOR);
    await roster.sessionClosed('s1');
    clock += 3 * 86_400_000;
    const recent = await roster.register({ role: 'recent' }, session('s2'), ACTOR);
    await roster.sessionClosed('s2');
    const live = await roster.register({ role: 'live' }, session('s3'), ACTOR);
    clock += 5 * 86_400_000;
    // Just started (a clock that jumped while the daemon was down): sessions get time to re-bind first.
    expect(await roster.forgetStale(ACTOR)).toEqual([]);
    uptime += 10 * 60_000;
    expect(await roster.forgetStale(ACTOR)).toEqual([gone.id]);
    expect(roster.has(gone.id)).toBe(false);
    expect(roster.has(recent.id) && roster.has(live.id)).toBe(true);
    expect(await stack.store.tombstone('agents', gone.id)).toMatchObject({ reason: 'offline past roster.forgetAfterDays' });
  });

  it("never forgets another host's agent by this clock while that host is a member; anyone may once it left", async () => {
    const other = new RosterService({
      store: stack.store,
      memories: stack.memories,
      logger: silentLogger(),
      actorId: 'bb'.repeat(16),
      machine: 'web-us-2',
      groups: [],
      thresholds: { offlineAfterMs: 90_000, idleAfterMs: 600_000 },
      openTasks: () => 0,
      forgetAfterMs: 7 * 86_400_000,
      eraser: stack.eraser,
      now: () => clock,
    });
    await other.start();
    const theirs = await other.register({ role: 'web' }, session('w1'), ACTOR);
    await other.stop();
    await eventuallyHas(roster, theirs.id);
    // Unheard of here (no presence), so offline here; 40 days on this clock do not erase it.
    expect(roster.entry(theirs.id)).toMatchObject({ status: 'offline', heartbeat_age_s: null });
    clock += 40 * 86_400_000;
    uptime += 3_600_000;
    expect(await roster.forgetStale(ACTOR)).toEqual([]);
    members.delete('web-us-2');
    expect(await roster.forgetStale(ACTOR)).toEqual([theirs.id]);
  });
});

async function eventuallyHas(roster: RosterService, id: string): Promise<void> {
  for (let i = 0; i < 100 && !roster.has(id); i++) await new Promise((r) => setImmediate(r));
  expect(roster.has(id)).toBe(true);
}
