import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, mcpClient } from '../helpers/cli.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

/** `mesh get --json`: the whole memory as a host serves it. */
interface Got {
  id: string;
  content: string;
  context: string;
  category: string;
  tags: string[];
  metadata: Record<string, unknown>;
  deleted: boolean;
  deleted_reason: string | null;
}

/** Runs MCP tool calls against a running host: `mesh mcp` connects to that host's daemon socket. */
async function onHost(host: TestHost, calls: [string, Record<string, unknown>][]): Promise<void> {
  const client = await mcpClient(host.home.dir, `agent-on-${host.name}`);
  try {
    for (const [tool, args] of calls) await callOk(client, tool, args);
  } finally {
    await client.close();
  }
}

/**
 * The offline laptop, field by field: the desk and the laptop edit the same memories while apart
 * (each while the other is down), then meet again. The rules observed here are the ones
 * docs/ARCHITECTURE.md states under "Convergence rules"; the test names say which one each checks.
 */
describe('the offline laptop: concurrent edits of every kind of field merge by the rules', () => {
  let desk: TestHost;
  let laptop: TestHost;
  const id: Record<'notes' | 'category' | 'meta' | 'deleted' | 'tags', string> = { notes: '', category: '', meta: '', deleted: '', tags: '' };
  let deskOnly = '';
  let laptopOnly = '';
  const all = () => [...Object.values(id), deskOnly, laptopOnly];
  const getAll = (h: TestHost) => Promise.all(all().map((m) => h.json<Got>(['get', m])));

  beforeAll(async () => {
    [desk, laptop] = await Promise.all([TestHost.create('desk'), TestHost.create('laptop')]);
    await desk.start();
    await joinMesh(desk, laptop);
    id.notes = await desk.store('zqlap runbook for elastic3 reindex', ['--context', 'written during INC-12']);
    id.category = await desk.store('zqlap memory whose category both hosts change', ['--category', 'project']);
    id.meta = await desk.store('zqlap memory whose metadata both hosts change');
    id.deleted = await desk.store('zqlap memory deleted on the desk, edited on the laptop');
    id.tags = await desk.store('zqlap memory whose tags both hosts replace', ['--tags', 'shared']);
    await eventually(async () => (await Promise.all(Object.values(id).map(async (m) => (await laptop.cli(['get', m])).code === 0))).every(Boolean), 'every memory on the laptop', 60_000);

    // The laptop goes offline; the desk keeps working.
    await laptop.stop();
    await onHost(desk, [
      ['update_memory', { memory_id: id.notes, content: 'zqlap runbook for elastic3 reindex. Check shard allocation first.', context: 'written during INC-12 (desk)' }],
      ['update_memory', { memory_id: id.category, category: 'incidents' }],
      ['update_memory', { memory_id: id.meta, metadata: { owner: 'desk-team', status: 'desk-says-open' } }],
      ['delete_memory', { memory_id: id.deleted, reason: 'obsolete, per the desk' }],
      ['update_memory', { memory_id: id.tags, tags: ['desk', 'prod'] }],
    ]);
    deskOnly = await desk.store('zqlap desk-only memory written while the laptop was away');
    await desk.stop();

    // The laptop comes back without the desk and edits the same memories.
    await laptop.start();
    await onHost(laptop, [
      ['update_memory', { memory_id: id.notes, content: 'Laptop: zqlap runbook for elastic3 reindex', context: 'laptop: written during INC-12' }],
      ['update_memory', { memory_id: id.category, category: 'runbooks' }],
      ['update_memory', { memory_id: id.meta, metadata: { ticket: 'OPS-77', status: 'laptop-says-closed' } }],
      ['update_memory', { memory_id: id.deleted, content: 'zqlap memory deleted on the desk, edited on the laptop, still useful' }],
      ['update_memory', { memory_id: id.tags, tags: ['laptop'] }],
    ]);
    laptopOnly = await laptop.store('zqlap laptop-only memory written offline');

    // Both up again: they reconcile.
    await desk.start();
    await eventually(async () => JSON.stringify(await getAll(desk)) === JSON.stringify(await getAll(laptop)), 'identical `mesh get --json` of every memory on both hosts', 90_000).catch(async (err: Error) => {
      const show = async (h: TestHost) => JSON.stringify(await getAll(h).catch((e: Error) => e.message));
      throw new Error(`${err.message}\n--- desk ${await show(desk)}\n--- laptop ${await show(laptop)}`);
    });
  }, 240_000);
  afterAll(async () => {
    await Promise.all([desk?.dispose(), laptop?.dispose()]);
  });

  it('every write made on either side while apart is present on both hosts', async () => {
    for (const h of [desk, laptop]) {
      expect((await h.json<Got>(['get', deskOnly])).content).toMatch(/desk-only/);
      expect((await h.json<Got>(['get', laptopOnly])).content).toMatch(/laptop-only/);
    }
  });

  it('content and context are text: both concurrent edits survive, edit by edit', async () => {
    const got = await desk.json<Got>(['get', id.notes]);
    expect(got.content).toBe('Laptop: zqlap runbook for elastic3 reindex. Check shard allocation first.');
    expect(got.context).toBe('laptop: written during INC-12 (desk)');
  });

  it('metadata merges key by key; a key written on both sides has one winner, the same on both hosts', async () => {
    const [d, l] = await Promise.all([desk.json<Got>(['get', id.meta]), laptop.json<Got>(['get', id.meta])]);
    expect(d.metadata).toEqual(l.metadata);
    expect(d.metadata).toMatchObject({ owner: 'desk-team', ticket: 'OPS-77' });
    expect(['desk-says-open', 'laptop-says-closed']).toContain(d.metadata['status']);
  });

  it('a scalar written on both sides (category) resolves to one of the two values, the same on both hosts and after restarts', async () => {
    const before = (await desk.json<Got>(['get', id.category])).category;
    expect(['incidents', 'runbooks']).toContain(before);
    expect((await laptop.json<Got>(['get', id.category])).category).toBe(before);
    // Deterministic, not "whoever synced last": restarting both (each re-reading its own store) changes nothing.
    await Promise.all([desk.stop(), laptop.stop()]);
    await Promise.all([desk.start(), laptop.start()]);
    expect((await desk.json<Got>(['get', id.category])).category).toBe(before);
    expect((await laptop.json<Got>(['get', id.category])).category).toBe(before);
  });

  it('a tag list replaced on both sides keeps one side whole (last-writer by Automerge order), never a union', async () => {
    const tags = (await desk.json<Got>(['get', id.tags])).tags;
    expect([['desk', 'prod'], ['laptop']]).toContainEqual(tags);
    expect((await laptop.json<Got>(['get', id.tags])).tags).toEqual(tags);
  });

  it('a soft delete and a concurrent edit both apply: the memory stays deleted and carries the edit', async () => {
    for (const h of [desk, laptop]) {
      const got = await h.json<Got>(['get', id.deleted]);
      expect(got).toMatchObject({ deleted: true, deleted_reason: 'obsolete, per the desk' });
      expect(got.content).toBe('zqlap memory deleted on the desk, edited on the laptop, still useful');
    }
  });

  it('search answers the same on both hosts (soft-deleted memories hidden on both)', async () => {
    const ids = async (h: TestHost) => (await h.search('zqlap')).map((r) => r.id).sort();
    const expected = all()
      .filter((m) => m !== id.deleted)
      .sort();
    await eventually(async () => JSON.stringify(await ids(desk)) === JSON.stringify(expected), 'every live memory searchable on the desk', 60_000);
    await eventually(async () => JSON.stringify(await ids(laptop)) === JSON.stringify(expected), 'every live memory searchable on the laptop', 60_000);
  });
});
