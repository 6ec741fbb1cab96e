import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONTENT_CHARS } from '../../src/constants.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { callOk, callTool, errorText, mcpClient, mesh } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

const CORE_TOOLS = [
  'store_memory',
  'retrieve_memory',
  'update_memory',
  'search_memories',
  'get_recent_memories',
  'delete_memory',
  'recover_deleted_memory',
  'list_deleted_memories',
  'get_memory_stats',
  'get_project_memories',
  'get_machine_context',
  'list_memory_sources',
];

describe('mesh mcp over stdio, driven by the MCP SDK client', () => {
  const home = tmpHome();
  let client: Client;

  beforeAll(async () => {
    await mesh(['init', '--home', home.dir, '--name', 'mcp-host']);
    client = await mcpClient(home.dir, 'claude-code');
  });
  afterAll(async () => {
    await client.close();
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  });

  it('lists every core tool with schemas and annotations', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of CORE_TOOLS) expect(names).toContain(name);
    const store = tools.find((t) => t.name === 'store_memory')!;
    expect(store.inputSchema.required).toEqual(['content']);
    expect(store.outputSchema).toBeDefined();
    expect(tools.find((t) => t.name === 'delete_memory')!.annotations).toMatchObject({ destructiveHint: true });
    expect(tools.find((t) => t.name === 'search_memories')!.annotations).toMatchObject({ readOnlyHint: true });
  });

  it('stores, retrieves, updates, searches, deletes and recovers, recording the client as agent', async () => {
    const { id } = await callOk<{ id: string }>(client, 'store_memory', {
      content: 'proxy-eu1 returned HTTP 502 after nginx reload; fixed upstream keepalive',
      category: 'incidents',
      tags: ['nginx', 'eu'],
      project: 'web',
      metadata: { ticket: 'OPS-12' },
    });
    const m = await callOk(client, 'retrieve_memory', { memory_id: id });
    expect(m).toMatchObject({ id, category: 'incidents', machine: 'mcp-host', agent: 'claude-code@1.0.0', project: 'web', deleted: false });

    const u = await callOk(client, 'update_memory', { memory_id: id, tags: ['nginx', 'eu', 'resolved'] });
    expect(u['tags']).toEqual(['nginx', 'eu', 'resolved']);

    const s = await callOk<{ results: { id: string; score: number }[] }>(client, 'search_memories', { query: '502 keepalive', category: 'incidents' });
    expect(s.results[0]?.id).toBe(id);
    expect(s.results[0]?.score).toBeGreaterThan(0);

    const recent = await callOk<{ results: { id: string }[] }>(client, 'get_recent_memories', { hours: 1 });
    expect(recent.results.map((r) => r.id)).toContain(id);

    await callOk(client, 'delete_memory', { memory_id: id, reason: 'test' });
    expect((await callOk<{ results: { id: string }[] }>(client, 'list_deleted_memories', {})).results.map((r) => r.id)).toContain(id);
    expect((await callOk<{ results: unknown[] }>(client, 'search_memories', { query: 'keepalive' })).results).toHaveLength(0);
    await callOk(client, 'recover_deleted_memory', { memory_id: id });

    const stats = await callOk<{ total: number; by_category: Record<string, number>; by_machine: Record<string, number> }>(client, 'get_memory_stats');
    expect(stats.total).toBeGreaterThanOrEqual(1);
    expect(stats.by_machine['mcp-host']).toBeGreaterThanOrEqual(1);
    expect((await callOk<{ results: unknown[] }>(client, 'get_project_memories', { project: 'web' })).results).toHaveLength(1);
    expect((await callOk<{ machine: string }>(client, 'get_machine_context', {})).machine).toBe('mcp-host');
    expect((await callOk<{ agents: { name: string }[] }>(client, 'list_memory_sources')).agents.map((a) => a.name)).toContain('claude-code@1.0.0');
  });

  it('answers bad input with isError and a reason, and keeps serving', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['store_memory', { content: 42 }, /content/],
      ['store_memory', { content: '' }, /empty/],
      ['store_memory', { content: 'x', category: 'gossip' }, /unknown category "gossip".*runbooks/],
      ['store_memory', { content: 'x'.repeat(MAX_CONTENT_CHARS + 1) }, /65536 characters/],
      ['store_memory', { content: 'x', tags: 'not-a-list' }, /tags/],
      ['retrieve_memory', { memory_id: 'does-not-exist' }, /NOT_FOUND: memory does-not-exist not found/],
      ['update_memory', { memory_id: 'does-not-exist', content: 'y' }, /NOT_FOUND/],
      ['delete_memory', { memory_id: 'does-not-exist' }, /NOT_FOUND/],
      ['search_memories', { query: '' }, /query/],
      ['search_memories', { query: 'x', limit: 0 }, /limit/],
      ['search_memories', { query: 'x', mode: 'psychic' }, /mode/],
      ['get_recent_memories', { hours: -1 }, /hours/],
    ];
    for (const [tool, args, reason] of cases) {
      const r = await callTool(client, tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args).slice(0, 60)}`).toBe(true);
      expect(errorText(r)).toMatch(reason);
    }
    const still = await callOk<{ id: string }>(client, 'store_memory', { content: 'still serving' });
    expect(still.id).toBeTruthy();
  });

  it('exposes only the groups MESH_TOOLS asks for, and can enable one for a session', async () => {
    // A group this build lacks is refused at start (newcomer.test.ts); an empty item is ignored.
    const other = await mcpClient(home.dir, 'second', { MESH_TOOLS: 'core,' });
    try {
      const names = (await other.listTools()).tools.map((t) => t.name);
      expect(names).toContain('enable_tool_group');
      expect(names).not.toContain('create_kanban_task');
      const changed = new Promise<void>((resolve) => other.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
      expect((await callOk<{ enabled: string[] }>(other, 'enable_tool_group', { group: 'kanban' })).enabled).toEqual(['core', 'kanban']);
      await changed;
      expect((await other.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(['create_kanban_task', 'list_kanban_tasks', 'get_task_analytics']));
      const r = await callTool(other, 'enable_tool_group', { group: 'bogus' });
      expect(r.isError).toBe(true);
      expect(errorText(r)).toMatch(/^INVALID_INPUT: unknown tool group "bogus"; available: core, /);
    } finally {
      await other.close();
    }
  });
});
