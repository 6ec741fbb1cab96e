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
  const session = (s: string, agentId?: string) => ({ session: s, agentId, client: 'claude-code@2' });

  beforeEach(async () => {
    home = tmpHome();
    stack = await openStack(home.dir, { now: () => clock });
    roster = new RosterService({
      store: stack.store,
      memories: stack.memories,
      logger: silentLogger(),
      actorId: 'aa'.repeat(16),
      machine: 'mon-eu-1',
      groups: defaultCapabilityGroups(),
      // The clock drives liveness here; the timer is far off so only explicit calls write.
      heartbeatMs: 3_600_000,
      thresholds: { offlineAfterMs: 90_000, idleAfterMs: 600_000 },
      openTasks: (id) => (id.startsWith('busy') ? 2 : 0),
      forgetAfterMs: 7 * 86_400_000,
      signTombstone: (_c, _id, tomb) => Promise.resolve(tomb),
      now: () => clock,
    });
    await roster.start();
  });
  afterEach(async () => {
    await roster.stop();
    await stack.close();
    home.cleanup();
  });

  it('reads active, then idle without calls, then offline when the heartbeat ages or the session ends', async () => {
    const a = await roster.register({ role: 'On-call SRE', capabilities: ['PagerDuty'] }, session('s1'), ACTOR);
    expect(a.id).toMatch(/^on-call-sre-mon-eu-1-[0-9a-f]{6}$/);
    expect(a).toMatchObject({ status: 'active', capability_groups: ['monitoring'], declared_capabilities: ['pagerduty'] });
    clock += 11 * 60_000;
    expect(roster.entry(a.id).status).toBe('offline'); // no heartbeat for 11 min
    await roster.touch(session('s1', a.id)); // a call: counts as activity, no write
    expect(roster.entry(a.id).status).toBe('offline');
    // The heartbeat is what other hosts read; the call time travels with it.
    await (roster as unknown as { heartbeat(): Promise<void> }).heartbeat();
    expect(roster.entry(a.id).status).toBe('active');
    clock += 11 * 60_000;
    await (roster as unknown as { heartbeat(): Promise<void> }).heartbeat();
    expect(roster.entry(a.id)).toMatchObject({ status: 'idle', heartbeat_age_s: 0 });
    await roster.sessionClosed('s1');
    expect(roster.entry(a.id)).toMatchObject({ status: 'offline' });
    expect(roster.entry(a.id).ended_at).not.toBeNull();
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
    expect(await roster.forgetStale(ACTOR)).toEqual([gone.id]);
    expect(roster.has(gone.id)).toBe(false);
    expect(roster.has(recent.id) && roster.has(live.id)).toBe(true);
    expect(await stack.store.tombstone('agents', gone.id)).toMatchObject({ reason: 'offline past roster.forgetAfterDays' });
  });
});
