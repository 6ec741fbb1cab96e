import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, mcpClient } from '../helpers/cli.js';
import { faketimeAvailable } from '../helpers/faketime.js';
import { callDaemon, eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

interface Agent {
  id: string;
  status: string;
  heartbeat_age_s: number | null;
}
interface Clock {
  skewed_peers: { name: string; offset_ms: number }[];
  held_erasures: number;
}
interface Task {
  id: string;
  status: string;
  history: { action: string; to?: string | null; machine: string; at: string }[];
}

/** Presence every second, offline after 10 s unheard (slack for a loaded machine): the wrong clocks are days off, so a wrong verdict still shows at once. */
const CONFIG = { roster: { heartbeatSeconds: 1, offlineAfterSeconds: 10, idleAfterSeconds: 600 } };
const DAY = 86_400_000;

/**
 * Issue #20 on three real daemons, one of them (B) run with its wall clock 40 days ahead, then
 * one day behind (faketime; timers and monotonic time stay real). Nothing B's clock says may
 * destroy or hide data on A or C, nor make their agents offline.
 */
describe.skipIf(!faketimeAvailable())('one host with a wrong clock', () => {
  let a: TestHost;
  let b: TestHost;
  let c: TestHost;
  const clients: Client[] = [];
  const agents: Record<string, Agent> = {};
  const clockOf = async (h: TestHost) => (await h.json<{ replication: { clock: Clock } }>(['status'])).replication.clock;
  const retrieve = (h: TestHost, id: string) => callDaemon(h, 'memory.retrieve', { memory_id: id });
  const rosterOn = async (h: TestHost) => (await h.json<{ agents: Agent[] }>(['roster'])).agents;
  /** Every registered agent reads live on every host, now; else throws naming who reads what where. */
  const allLiveEverywhere = async () => {
    for (const h of [a, b, c]) {
      const seen = await rosterOn(h);
      for (const agent of Object.values(agents)) {
        const entry = seen.find((x) => x.id === agent.id);
        if (!entry || entry.status === 'offline') throw new Error(`${agent.id} reads ${entry ? `offline (heartbeat ${entry.heartbeat_age_s}s)` : 'missing'} on ${h.name}`);
      }
    }
    return true;
  };
  let m1: string; // soft-deleted on A
  let m3: string; // soft-deleted on B, so B's retention erases it once B's clock says 40 days passed
  let m4: string; // hard-deleted on B while its clock is 40 days ahead

  beforeAll(async () => {
    a = await TestHost.create('host-a');
    b = await TestHost.create('host-b');
    c = await TestHost.create('host-c');
    for (const h of [a, b, c]) writeFileSync(join(h.home.dir, 'config.json'), JSON.stringify(CONFIG));
    await a.start();
    await joinMesh(a, b);
    await joinMesh(a, c);
    for (const h of [a, b, c]) {
      const client = await mcpClient(h.home.dir, `claude-${h.name}`, { MESH_TOOLS: 'agents,kanban' });
      clients.push(client);
      agents[h.name] = (await callOk<{ agent: Agent }>(client, 'register_agent', { role: 'sre' })).agent;
    }
    m1 = await a.store('rotate the es certificates before friday');
    m3 = await b.store('the staging vpn moved to wg1');
    m4 = await a.store('pagerduty escalation goes to the db team first');
    await a.cli(['rm', m1]);
    await b.cli(['rm', m3]);
    for (const h of [a, b, c]) {
      await eventually(async () => (await retrieve(h, m1)).deleted && (await retrieve(h, m3)).deleted && (await retrieve(h, m4)).id === m4, `the deletions on ${h.name}`);
    }
    await eventually(allLiveEverywhere, 'every agent live on every host');
  }, 420_000);

  afterAll(async () => {
    await Promise.all(clients.map((x) => x.close().catch(() => undefined)));
    await Promise.all([a, b, c].map((h) => h?.dispose()));
  });

  it('40 days ahead: its erasures are held elsewhere, every memory stays recoverable, every agent stays live, and the skew is reported', async () => {
    await b.stop();
    const from = b.log.length;
    await b.start([], { faketime: '+40 days' });
    // B's start-up retention sweep runs at once: it erases what B itself soft-deleted (its own clock).
    await eventually(() => Promise.resolve(b.log.slice(from).includes('erased memories past retention')), 'the retention sweep on B');
    await expect(retrieve(b, m3)).rejects.toThrow(/ERASED|deleted/i);
    // A's deletion is A's to expire: B's clock does not erase it, even on B.
    expect((await retrieve(b, m1)).deleted).toBe(true);
    // A hard delete made with B's clock ahead: stamped 40 days on.
    const hard = await b.cli(['rm', m4, '--hard']);
    expect(hard.code, hard.stderr).toBe(0);

    for (const h of [a, c]) {
      await eventually(async () => (await clockOf(h)).held_erasures >= 2, `both of B's future erasures held on ${h.name}`);
      const clock = await clockOf(h);
      expect(clock.skewed_peers.map((p) => p.name)).toEqual(['host-b']);
      expect(clock.skewed_peers[0]!.offset_ms).toBeGreaterThan(39 * DAY);
      for (const id of [m1, m3]) expect((await retrieve(h, id)).deleted).toBe(true);
      expect((await retrieve(h, m4)).deleted).toBe(false);
    }
    // Recoverable as promised: A's user gets m3 back on C.
    expect((await callDaemon(c, 'memory.recover', { memory_id: m3 })).deleted).toBe(false);
    // B sees the others 40 days behind it; doctor says so too.
    expect((await clockOf(b)).skewed_peers.map((p) => p.name).sort()).toEqual(['host-a', 'host-c']);
    const doctor = await a.json<{ checks: { check: string; status: string; detail: string }[] }>(['doctor']);
    const clocks = doctor.checks.find((x) => x.check === 'clocks');
    expect(clocks?.status).toBe('warn');
    expect(clocks?.detail).toContain('host-b');

    // Liveness: B's session re-binds after the restart; nobody reads offline, on any host, for several beats.
    await eventually(allLiveEverywhere, 'every agent live on every host with B 40 days ahead');
    for (let round = 0; round < 3; round++) {
      await b.json(['sync']); // a full round trip through B: presence keeps flowing meanwhile
      await allLiveEverywhere();
    }
    // Nothing forgot anyone: B's sweep never erases another host's agent.
    for (const h of [a, b, c]) expect((await rosterOn(h)).map((x) => x.id).sort()).toEqual(Object.values(agents).map((x) => x.id).sort());
  }, 300_000);

  it('a day behind: agents stay live, histories keep causal order, analytics count no negative duration', async () => {
    await b.stop();
    await b.start([], { faketime: '-1 day' });
    await eventually(async () => (await clockOf(a)).skewed_peers.find((p) => p.name === 'host-b' && p.offset_ms < -23 * 3_600_000), 'A measuring B a day behind');
    const task = (await a.json<Task>(['task', 'create', 'drain es-3 before the kernel update'])).id;
    await eventually(async () => (await b.cli(['task', 'show', task])).code === 0, 'the task on B');
    for (const to of ['in_progress', 'done']) {
      const r = await b.cli(['task', 'move', task, to]);
      expect(r.code, r.stderr).toBe(0);
    }
    const shown = await eventually(async () => {
      const t = await a.json<Task>(['task', 'show', task]);
      return t.status === 'done' ? t : undefined;
    }, 'the moves on A');
    // B's moves are stamped a day before the creation, yet listed after it: causal order.
    expect(shown.history.map((h) => `${h.action}:${h.to ?? ''}@${h.machine}`)).toEqual(['create:todo@host-a', 'status:in_progress@host-b', 'status:done@host-b']);
    expect(Date.parse(shown.history[1]!.at)).toBeLessThan(Date.parse(shown.history[0]!.at));
    const stats = await a.json<{ lead_time_hours: { mean: number } | null; cycle_time_hours: { mean: number } | null; durations_skipped_clock_skew: number }>(['task', 'stats']);
    expect(stats.durations_skipped_clock_skew).toBeGreaterThanOrEqual(1);
    for (const d of [stats.lead_time_hours, stats.cycle_time_hours]) if (d) expect(d.mean).toBeGreaterThanOrEqual(0);
    await eventually(allLiveEverywhere, 'every agent live on every host with B a day behind');
    // Nothing was erased by the day-behind clock either.
    for (const h of [a, c]) expect((await retrieve(h, m1)).deleted).toBe(true);
  }, 300_000);
});
