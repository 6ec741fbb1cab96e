import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, callTool, errorText, mcpClient } from '../helpers/cli.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

interface Agent {
  id: string;
  role: string;
  machine: string;
  status: string;
  capabilities: string[];
  capability_groups: string[];
  open_tasks: number;
}
interface Task {
  id: string;
  title: string;
  status: string;
  workflow_status: string;
  priority: string;
  progress: number;
  assignee: string | null;
  blocked_by: string[];
  comments: { text: string; machine: string }[];
  conflicts: { field: string; winner: unknown; losers: { agent?: string }[] }[];
  history: { action: string; to?: string | null; machine: string; agent: string }[];
}
interface Delegation {
  task: Task;
  assigned_to: string | null;
  reason: string;
}

/** Fast liveness for tests: a beat every 0.5 s, offline after 2 s without one. */
const ROSTER_CONFIG = { roster: { heartbeatSeconds: 0.5, offlineAfterSeconds: 2, idleAfterSeconds: 600 } };
const TOOLS = { MESH_TOOLS: 'agents,kanban' };

/**
 * Two daemons on 127.0.0.1 named like a search node and a database host (so the default
 * capability groups of config/capability-groups.json apply), with agents connected through real
 * `mesh mcp` sessions, as Claude Code connects.
 */
describe('roster and kanban across hosts', () => {
  let es: TestHost;
  let db: TestHost;
  const clients: Client[] = [];
  const session = async (host: TestHost, name: string) => {
    const c = await mcpClient(host.home.dir, name, TOOLS);
    clients.push(c);
    return c;
  };
  const roster = async (c: Client, args: Record<string, unknown> = {}) => (await callOk<{ agents: Agent[] }>(c, 'get_agent_roster', args)).agents;
  const statusOn = async (c: Client, id: string) => (await roster(c)).find((a) => a.id === id)?.status;
  let esClient: Client;
  let dbClient: Client;
  let indexer: Agent;
  let dba: Agent;

  beforeAll(async () => {
    es = await TestHost.create('es-alpha');
    db = await TestHost.create('db-beta');
    for (const h of [es, db]) writeFileSync(join(h.home.dir, 'config.json'), JSON.stringify(ROSTER_CONFIG));
    await es.start();
    await joinMesh(es, db);
    esClient = await session(es, 'claude-es');
    dbClient = await session(db, 'claude-db');
    indexer = (await callOk<{ agent: Agent }>(esClient, 'register_agent', { role: 'indexer', description: 'reindexes and tunes clusters', capabilities: ['Kibana'] })).agent;
    dba = (await callOk<{ agent: Agent }>(dbClient, 'register_agent', { role: 'dba', capabilities: ['postgres'] })).agent;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all([es, db].map((h) => h?.dispose()));
  });

  it('registers agents with their machine capability groups, and each host sees both as active', async () => {
    expect(indexer).toMatchObject({ role: 'indexer', machine: 'es-alpha', status: 'active', capability_groups: ['elasticsearch'] });
    expect(indexer.capabilities).toEqual(expect.arrayContaining(['kibana', 'elasticsearch', 'index-management']));
    expect(dba.capabilities).toEqual(expect.arrayContaining(['postgres', 'databases', 'sql']));
    for (const c of [esClient, dbClient]) {
      await eventually(async () => (await statusOn(c, indexer.id)) === 'active' && (await statusOn(c, dba.id)) === 'active', 'both agents active on both hosts');
    }
    expect((await roster(esClient, { capability: 'databases' })).map((a) => a.id)).toEqual([dba.id]);
    expect((await roster(dbClient, { machine: 'es-alpha' })).map((a) => a.id)).toEqual([indexer.id]);
    // Registering again from the same session keeps the id.
    const again = (await callOk<{ agent: Agent }>(esClient, 'register_agent', { role: 'indexer', capabilities: ['kibana', 'logstash'] })).agent;
    expect(again.id).toBe(indexer.id);
    expect(again.capabilities).toContain('logstash');
  });

  it('replicates the board both ways: a card made on one host is moved and commented on the other', async () => {
    const card = await callOk<Task>(esClient, 'create_kanban_task', { title: 'reindex logs-2026.12', priority: 'high', required_capabilities: ['elasticsearch'] });
    const seen = await eventually(async () => (await callOk<{ tasks: Task[] }>(dbClient, 'list_kanban_tasks', {})).tasks.find((t) => t.id === card.id), 'the card on db-beta');
    expect(seen).toMatchObject({ title: 'reindex logs-2026.12', priority: 'high', status: 'todo' });
    await callOk(dbClient, 'update_kanban_task', { task_id: card.id, status: 'in_progress', progress: 30, comment: 'snapshot taken first' });
    const back = await eventually(async () => {
      const t = await callOk<Task>(esClient, 'get_kanban_task', { task_id: card.id });
      return t.status === 'in_progress' && t.comments.length === 1 ? t : undefined;
    }, 'the move back on es-alpha');
    expect(back).toMatchObject({ progress: 30, comments: [{ text: 'snapshot taken first', machine: 'db-beta' }] });
    expect(back.history.map((h) => [h.action, h.machine])).toEqual([
      ['create', 'es-alpha'],
      ['status', 'db-beta'],
      ['progress', 'db-beta'],
      ['comment', 'db-beta'],
    ]);
    // The CLI board shows the same card on either host.
    const board = await db.json<{ columns: Record<string, { total: number; cards: Task[] }> }>(['board']);
    expect(board.columns['in_progress']?.cards.map((t) => t.id)).toContain(card.id);
  });

  it('delegates to the capable live agent, skips one that went offline, and leaves unmatched work unassigned', async () => {
    const first = await callOk<Delegation>(esClient, 'delegate_task', { task_description: 'vacuum the orders table\nit bloated after the migration', required_capabilities: ['databases'] });
    expect(first.assigned_to).toBe(dba.id);
    expect(first.reason).toMatch(new RegExp(`chose ${dba.id} on db-beta: has databases`));
    expect(first.reason).toMatch(new RegExp(`skipped ${indexer.id} \\(lacks databases\\)`));
    expect(first.task).toMatchObject({ title: 'vacuum the orders table', assignee: dba.id });

    // A second database agent on db-beta, then the first one's session ends: offline at once, everywhere.
    const backupClient = await session(db, 'claude-backup');
    const backup = (await callOk<{ agent: Agent }>(backupClient, 'register_agent', { role: 'backup', capabilities: ['databases'] })).agent;
    await eventually(async () => (await statusOn(esClient, backup.id)) === 'active', 'the backup agent active on es-alpha');
    await dbClient.close();
    await eventually(async () => (await statusOn(esClient, dba.id)) === 'offline', 'the dba offline on es-alpha after its session ended');
    const second = await callOk<Delegation>(esClient, 'delegate_task', { task_description: 'check replication lag', required_capabilities: ['databases'] });
    expect(second.assigned_to).toBe(backup.id);
    expect(second.reason).toMatch(new RegExp(`skipped .*${dba.id} \\(offline\\)`));
    // Asked for by name, an agent gets the work even offline, with the reason saying so.
    const asked = await callOk<Delegation>(esClient, 'delegate_task', { task_description: 'review the vacuum plan', required_capabilities: ['oracle'], target_agent: dba.id });
    expect(asked).toMatchObject({ assigned_to: dba.id, task: { assignee: dba.id } });
    expect(asked.reason).toBe(`assigned to ${dba.id} as asked (warning: it is offline; it lacks oracle)`);

    // The host of the backup agent dies without a word: its heartbeat ages and it goes offline.
    await db.kill();
    await eventually(async () => (await statusOn(esClient, backup.id)) === 'offline', 'the backup agent offline by heartbeat age', 15_000);
    const none = await callOk<Delegation>(esClient, 'delegate_task', { task_description: 'rotate pg credentials', required_capabilities: ['databases'], priority: 'critical' });
    expect(none.assigned_to).toBeNull();
    expect(none.task.assignee).toBeNull();
    expect(none.reason).toMatch(/no live agent with databases; skipped .*\(offline\).*unassigned/);

    // Back up: the backup session reconnects by itself and its agent is live again.
    await db.start();
    await eventually(async () => (await statusOn(esClient, backup.id)) === 'active', 'the backup agent active again after its host came back', 30_000);
    const third = await callOk<Delegation>(esClient, 'delegate_task', { task_description: 'rotate pg credentials again', required_capabilities: ['databases'] });
    expect(third.assigned_to).toBe(backup.id);
  });

  it('converges a double claim made while the hosts were apart to one outcome by the rule, keeping both edits and the losing claim', async () => {
    const backup = (await roster(esClient, { role: 'backup' }))[0]!;
    const card = await callOk<Task>(esClient, 'create_kanban_task', { title: 'failover drill', priority: 'low' });
    await eventually(async () => (await db.json<{ tasks: Task[] }>(['task', 'list'])).tasks.some((t) => t.id === card.id), 'the card on db-beta');

    // Apart: db-beta is down while es-alpha claims and starts the card...
    await db.stop();
    await callOk(esClient, 'assign_kanban_task', { task_id: card.id, agent_id: indexer.id });
    await callOk(esClient, 'update_kanban_task', { task_id: card.id, status: 'in_progress', progress: 40 });
    await es.stop();
    // ...then es-alpha is down while db-beta, not knowing, claims it for another agent and moves it further.
    await db.start();
    const dbCli = await session(db, 'claude-db-2');
    await callOk(dbCli, 'assign_kanban_task', { task_id: card.id, agent_id: backup.id });
    await callOk(dbCli, 'update_kanban_task', { task_id: card.id, status: 'review', priority: 'high' });
    await es.start();

    const views = await eventually(async () => {
      const a = await es.json<Task>(['task', 'show', card.id]);
      const b = await db.json<Task>(['task', 'show', card.id]);
      return JSON.stringify(a) === JSON.stringify(b) && a.history.length >= 6 ? [a, b] : undefined;
    }, 'both hosts to hold the same card', 30_000);
    for (const t of views) {
      // Earliest claim wins (es-alpha claimed first); the move furthest along wins (review > in_progress).
      expect(t).toMatchObject({ assignee: indexer.id, status: 'review', progress: 40, priority: 'high' });
      expect(t.conflicts.map((c) => c.field).sort()).toEqual(['assignee', 'status']);
      expect(t.conflicts.find((c) => c.field === 'assignee')?.losers).toEqual([expect.objectContaining({ agent: backup.id })]);
      expect(t.history.filter((h) => h.action === 'assign').map((h) => h.to)).toEqual([indexer.id, backup.id]);
    }
  });

  it('answers bad calls with a readable reason and keeps serving', async () => {
    const a = await callOk<Task>(esClient, 'create_kanban_task', { title: 'a' });
    const b = await callOk<Task>(esClient, 'create_kanban_task', { title: 'b', dependencies: [a.id] });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['update_kanban_task', { task_id: a.id, status: 'finished' }, /status must be one of: todo, in_progress, blocked, review, done, cancelled/],
      ['update_kanban_task', { task_id: 'no-such-task', status: 'done' }, /NOT_FOUND: task no-such-task not found/],
      ['update_kanban_task', { task_id: a.id }, /nothing to update/],
      ['update_kanban_task', { task_id: a.id, dependencies: [b.id] }, /DEPENDENCY_CYCLE: these dependencies would make a cycle/],
      ['update_kanban_task', { task_id: b.id, status: 'in_progress' }, new RegExp(`TASK_BLOCKED: task ${b.id} is blocked by 1 unfinished dependency \\(${a.id}\\)`)],
      ['assign_kanban_task', { task_id: a.id, agent_id: 'ghost-agent' }, /NOT_FOUND: agent ghost-agent not found/],
      ['create_kanban_task', { title: '' }, /title must not be empty/],
      ['create_kanban_task', { title: 'x', priority: 'urgent' }, /priority must be one of: low, medium, high, critical/],
      ['delete_kanban_task', { task_id: a.id }, /HAS_DEPENDENTS/],
      ['delegate_task', { task_description: 'x' }, /required_capabilities/],
      ['query_agent_knowledge', { agent_id: 'ghost-agent', query: 'x' }, /NOT_FOUND: agent ghost-agent not found/],
      ['get_agent_roster', { status: 'sleeping' }, /status/],
      ['broadcast_discovery', { message: 'x', severity: 'meh' }, /severity/],
    ];
    for (const [tool, args, reason] of cases) {
      const r = await callTool(esClient, tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(errorText(r)).toMatch(reason);
    }
    expect((await callOk<Task>(esClient, 'get_kanban_task', { task_id: b.id })).blocked_by).toEqual([a.id]);
  });

  it('puts a broadcast in every other agent\'s inbox, shown once with recent memories, and finds what an agent wrote', async () => {
    const listener = await session(es, 'claude-listener');
    const me = (await callOk<{ agent: Agent }>(listener, 'register_agent', { role: 'listener' })).agent;
    await callOk(listener, 'get_recent_memories', {}); // read whatever was broadcast before
    const sent = await callOk<{ memory_id: string; delivered_to: string[] }>(esClient, 'broadcast_discovery', { message: 'es-alpha disk at 91%, shard relocation paused', severity: 'critical', category: 'incidents' });
    expect(sent.delivered_to).toContain(me.id);
    const first = await callOk<{ inbox?: { id: string; tags: string[] }[] }>(listener, 'get_recent_memories', {});
    expect(first.inbox?.map((m) => m.id)).toEqual([sent.memory_id]);
    expect(first.inbox?.[0]?.tags).toEqual(['broadcast', 'critical']);
    expect((await callOk<{ inbox?: unknown[] }>(listener, 'get_recent_memories', {})).inbox).toBeUndefined();
    // The sender does not get its own broadcast.
    expect((await callOk<{ inbox?: { id: string }[] }>(esClient, 'get_recent_memories', {})).inbox?.map((m) => m.id) ?? []).not.toContain(sent.memory_id);

    const found = await callOk<{ results: { id: string; agent: string }[] }>(listener, 'query_agent_knowledge', { agent_id: indexer.id, query: 'shard relocation disk' });
    expect(found.results.map((r) => r.id)).toEqual([sent.memory_id]);
    expect((await callOk<{ results: unknown[] }>(listener, 'query_agent_knowledge', { agent_id: me.id, query: 'shard relocation disk' })).results).toEqual([]);
  });
});
