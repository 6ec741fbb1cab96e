import { afterAll, describe, expect, it } from 'vitest';
import { callOk, mcpClient } from '../helpers/cli.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

interface Got {
  id: string;
  content: string;
  tags: string[];
  metadata: Record<string, unknown>;
  deleted: boolean;
}

/** Applies MCP tool calls on a running host (the MCP server connects to that host's daemon). */
async function onHost(host: TestHost, calls: [string, Record<string, unknown>][]): Promise<unknown[]> {
  const client = await mcpClient(host.home.dir, `agent-on-${host.name}`);
  try {
    const out: unknown[] = [];
    for (const [tool, args] of calls) out.push(await callOk(client, tool, args));
    return out;
  } finally {
    await client.close();
  }
}

describe('the offline laptop', () => {
  const a = new Promise<TestHost>((resolve) => void TestHost.create('desk').then(resolve));
  const b = new Promise<TestHost>((resolve) => void TestHost.create('laptop').then(resolve));
  afterAll(async () => {
    await (await a).dispose();
    await (await b).dispose();
  });

  it('both hosts write and edit the same memories while apart; after reconnecting they are identical and nothing is lost', { timeout: 180_000 }, async () => {
    const desk = await a;
    const laptop = await b;
    await desk.start();
    await joinMesh(desk, laptop);
    const m1 = await desk.store('deploy notes for web-frontend v2.3');
    const m2 = await desk.store('redis-cache-4 maxmemory policy allkeys-lru');
    await eventually(async () => (await laptop.cli(['get', m2])).code === 0, 'both memories on the laptop');

    // The laptop goes offline; the desk keeps working.
    await laptop.stop();
    await onHost(desk, [
      ['update_memory', { memory_id: m1, content: 'deploy notes for web-frontend v2.3. Rolled out at 14:00 from the desk.', tags: ['desk'] }],
      ['update_memory', { memory_id: m2, metadata: { owner: 'desk-team' } }],
    ]);
    const m3 = await desk.store('desk-only memory written while the laptop was away');
    await desk.stop();

    // The laptop comes back alone (the desk is down) and edits the same memories.
    await laptop.start();
    await onHost(laptop, [
      ['update_memory', { memory_id: m1, content: 'Laptop: deploy notes for web-frontend v2.3', tags: ['laptop'] }],
      ['update_memory', { memory_id: m2, metadata: { ticket: 'OPS-77' } }],
    ]);
    const m4 = await laptop.store('laptop-only memory written offline');

    // Both up: they reconcile.
    await desk.start();
    const ids = [m1, m2, m3, m4];
    const snapshot = async (h: TestHost) => Promise.all(ids.map((id) => h.json<Got>(['get', id]).then((g) => ({ content: g.content, tags: g.tags, metadata: g.metadata, deleted: g.deleted }))));
    await eventually(async () => JSON.stringify(await snapshot(desk)) === JSON.stringify(await snapshot(laptop)), 'identical state on both hosts', 90_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\n--- desk ${JSON.stringify(await snapshot(desk).catch((e: Error) => e.message))}\n--- laptop ${JSON.stringify(await snapshot(laptop).catch((e: Error) => e.message))}`);
    });
    const [g1, g2] = await snapshot(desk);

    // Text is merged edit by edit: the desk's appended sentence and the laptop's prefix both survive.
    expect(g1!.content).toBe('Laptop: deploy notes for web-frontend v2.3. Rolled out at 14:00 from the desk.');
    // Metadata merges key by key.
    expect(g2!.metadata).toEqual({ owner: 'desk-team', ticket: 'OPS-77' });
    // A field replaced on both sides (the tag list) resolves to one of the two values, the same on both hosts.
    expect([['desk'], ['laptop']]).toContainEqual(g1!.tags);
    expect((await desk.search('offline')).map((r) => r.id)).toContain(m4);
    expect((await laptop.search('away')).map((r) => r.id)).toContain(m3);
  });
});
