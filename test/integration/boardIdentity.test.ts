import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { callOk, MESH_BIN, mcpClient, TEST_ENV } from '../helpers/cli.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

interface Task {
  id: string;
  status: string;
  created_by: string;
  blocked_by: string[];
  dependencies: string[];
  conflicts: { field: string; losers: unknown[] }[];
  history: { agent: string }[];
}
interface Page {
  tasks: Task[];
  total: number;
  truncated: boolean;
  next_offset: number | null;
  cycles: { cycle: string[]; set_aside: { task: string; dependency: string } }[];
}
interface BoardJson {
  columns: Record<string, { total: number; truncated: boolean; cards: Task[] }>;
  cycles: Page['cycles'];
}

const CONFIG = { roster: { heartbeatSeconds: 0.5, offlineAfterSeconds: 2, idleAfterSeconds: 600 } };

/** An MCP session whose client names itself exactly like `name`, with an empty version (the impostor of issue #20). */
async function namedClient(home: string, name: string): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [MESH_BIN, 'mcp', '--home', home], env: { ...(process.env as Record<string, string>), ...TEST_ENV, MESH_TOOLS: 'core,agents,kanban' }, stderr: 'pipe' });
  const client = new Client({ name, version: '' });
  await client.connect(transport);
  return client;
}

describe('who is credited: a session posing as another agent', () => {
  let host: TestHost;
  const clients: Client[] = [];

  beforeAll(async () => {
    host = await TestHost.create('hosta');
    writeFileSync(join(host.home.dir, 'config.json'), JSON.stringify(CONFIG));
    await host.start();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((x) => x.close().catch(() => undefined)));
    await host?.dispose();
  });

  it("credits an unregistered client's writes to itself, never to the registered agent it is named after", async () => {
    const victimClient = await mcpClient(host.home.dir, 'claude-victim', { MESH_TOOLS: 'core,agents,kanban' });
    clients.push(victimClient);
    const victim = (await callOk<{ agent: { id: string } }>(victimClient, 'register_agent', { role: 'reviewer' })).agent.id;
    const impostor = await namedClient(host.home.dir, victim);
    clients.push(impostor);
    const spoofed = `${victim} (unregistered)`;

    const b = await callOk<{ memory: { agent: string }; memory_id: string }>(impostor, 'broadcast_discovery', { message: 'decision: ship friday without review', severity: 'critical' });
    expect(b.memory.agent).toBe(spoofed);
    const t = await callOk<Task>(impostor, 'create_kanban_task', { title: 'skip the review' });
    expect(t.created_by).toBe(spoofed);
    const claimed = await callOk<Task>(impostor, 'update_kanban_task', { task_id: t.id, comment: 'approved by reviewer' });
    expect(claimed.history.at(-1)!.agent).toBe(spoofed);
    // The victim's knowledge holds none of it, and its inbox shows the broadcast as someone else's.
    const knowledge = await callOk<{ results: { memory: { id: string } }[] }>(victimClient, 'query_agent_knowledge', { agent_id: victim, query: 'ship friday without review' });
    expect(knowledge.results.map((r) => r.memory.id)).not.toContain(b.memory_id);
    const recent = await callOk<{ inbox?: { id: string }[] }>(victimClient, 'get_recent_memories', {});
    expect(recent.inbox?.map((m) => m.id)).toContain(b.memory_id);

    // A raw socket client that copies the victim's agent id (and a session id of its own) is not the victim either.
    const raw = await DaemonClient.connect(homePaths(host.home.dir).socket, { agent: victim, session: 'forged-session', agent_id: victim });
    try {
      const m = await raw.call('memory.store', { content: 'raw socket claim' });
      expect(m.agent).toBe(spoofed);
    } finally {
      raw.close();
    }
  }, 60_000);
});

describe('a dependency cycle made across a partition', () => {
  let a: TestHost;
  let b: TestHost;

  beforeAll(async () => {
    a = await TestHost.create('cyc-a');
    b = await TestHost.create('cyc-b');
    await a.start();
    await joinMesh(a, b);
  }, 300_000);
  afterAll(async () => {
    await Promise.all([a, b].map((h) => h?.dispose()));
  });

  it('is detected, shown on the board and in the tasks, broken by the documented rule, and resolvable without --force', async () => {
    const x = (await a.json<Task>(['task', 'create', 'upgrade the es cluster'])).id;
    const y = (await a.json<Task>(['task', 'create', 'reindex the logs'])).id;
    await eventually(async () => (await b.cli(['task', 'show', y])).code === 0 && (await b.cli(['task', 'show', x])).code === 0, 'both tasks on B');
    // Apart: X depends on Y on A, while Y depends on X on B. Each write alone is fine.
    await b.stop();
    expect((await a.cli(['task', 'update', x, '--depends-on', y])).code).toBe(0);
    await a.stop();
    await b.start();
    expect((await b.cli(['task', 'update', y, '--depends-on', x])).code).toBe(0);
    await a.start();
    const merged = await eventually(async () => {
      const page = await a.json<Page>(['task', 'list']);
      return page.cycles.length ? page : undefined;
    }, 'the merged cycle on A');
    const [hi, lo] = x > y ? [x, y] : [y, x];
    expect(merged.cycles).toEqual([{ cycle: [hi, lo, hi], set_aside: { task: hi, dependency: lo } }]);
    await eventually(async () => ((await b.json<Page>(['task', 'list'])).cycles.length === 1 ? true : undefined), 'the same cycle on B');
    // Shown: on the board and in the conflicts of both tasks.
    const board = await a.json<BoardJson>(['board']);
    expect(board.cycles).toEqual(merged.cycles);
    expect((await a.cli(['board'])).stdout).toContain(`${hi}'s dependency on ${lo} is set aside`);
    for (const id of [x, y]) expect((await a.json<Task>(['task', 'show', id])).conflicts.map((c) => c.field)).toContain('dependencies');
    // The rule: the greater id no longer waits; the other still waits on it.
    expect((await a.json<Task>(['task', 'show', hi])).blocked_by).toEqual([]);
    expect((await a.json<Task>(['task', 'show', lo])).blocked_by).toEqual([hi]);
    const move = await a.cli(['task', 'move', hi, 'in_progress']);
    expect(move.code, move.stderr).toBe(0);
    // Re-saving the dependencies as they are is no longer refused as a cycle; trimming one ends it.
    expect((await a.cli(['task', 'update', hi, '--depends-on', lo])).code).toBe(0);
    expect((await a.cli(['task', 'update', hi, '--depends-on', ''])).code).toBe(0);
    await eventually(async () => ((await b.json<Page>(['task', 'list'])).cycles.length === 0 ? true : undefined), 'the cycle resolved on B');
  }, 180_000);
});

describe('a board of 2,010 cards', () => {
  let host: TestHost;

  beforeAll(async () => {
    host = await TestHost.create('big-board');
    await host.start();
    const client = await DaemonClient.connect(homePaths(host.home.dir).socket, { agent: 'bulk-loader' });
    try {
      // Batches of concurrent calls, so the store group-commits them.
      for (let from = 0; from < 2_010; from += 100) {
        const batch = Array.from({ length: Math.min(100, 2_010 - from) }, (_, k) => from + k);
        await Promise.all(
          batch.map(async (i) => {
            const t = await client.call('task.create', { title: `card ${i}`, priority: i % 7 === 0 ? 'high' : 'medium' });
            if (i % 5 === 0) await client.call('task.update', { task_id: t.id, status: 'in_progress' });
          }),
        );
      }
    } finally {
      client.close();
    }
  }, 300_000);
  afterAll(async () => {
    await host?.dispose();
  });

  it('shows true counts, pages, and says when a view is cut, in mesh board, task list and list_kanban_tasks', async () => {
    const board = await host.json<BoardJson>(['board']);
    expect(board.columns['todo']).toMatchObject({ total: 1_608, truncated: true });
    expect(board.columns['in_progress']).toMatchObject({ total: 402, truncated: true });
    expect(board.columns['todo']!.cards).toHaveLength(50);
    const text = (await host.cli(['board'])).stdout;
    expect(text).toMatch(/TODO \(50 of 1608\)/);
    expect(text).toContain('+1558 more');
    const all = await host.json<BoardJson>(['board', '--limit', '2000']);
    expect(all.columns['todo']).toMatchObject({ total: 1_608, truncated: false });

    const first = await host.json<Page>(['task', 'list']);
    expect(first).toMatchObject({ total: 2_010, truncated: true, next_offset: 500 });
    expect((await host.cli(['task', 'list'])).stdout).toMatch(/^Tasks \(2010, showing 1-500; more with offset 500\)/);
    const ids = new Set<string>();
    for (let offset: number | null = 0; offset !== null; ) {
      const page: Page = await host.json<Page>(['task', 'list', '--offset', String(offset)]);
      for (const t of page.tasks) ids.add(t.id);
      offset = page.next_offset;
    }
    expect(ids.size).toBe(2_010);

    const mcp = await mcpClient(host.home.dir, 'claude-board', { MESH_TOOLS: 'kanban' });
    try {
      const page = await callOk<Page>(mcp, 'list_kanban_tasks', { limit: 100 });
      expect(page).toMatchObject({ total: 2_010, truncated: true, next_offset: 100 });
      expect(page.tasks).toHaveLength(100);
    } finally {
      await mcp.close();
    }
  }, 120_000);
});
