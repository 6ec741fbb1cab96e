import { afterAll, describe, expect, it } from 'vitest';
import { callOk, mcpClient, mesh } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

describe('concurrent MCP sessions on one home', () => {
  const home = tmpHome();
  afterAll(async () => {
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  });

  it('5 sessions x 200 stores give exactly 1,000 memories, none lost or duplicated', async () => {
    // No daemon is running: the five `mesh mcp` processes race to start one; exactly one wins.
    const sessions = await Promise.all(Array.from({ length: 5 }, (_, s) => mcpClient(home.dir, `agent-${s}`)));
    try {
      const ids = await Promise.all(
        sessions.map(async (client, s) => {
          const mine: string[] = [];
          for (let i = 0; i < 200; i++) {
            const { id } = await callOk<{ id: string }>(client, 'store_memory', { content: `session ${s} note ${i} marker-${s}-${i}`, tags: [`s${s}`] });
            mine.push(id);
          }
          return mine;
        }),
      );
      const all = ids.flat();
      expect(all).toHaveLength(1000);
      expect(new Set(all).size).toBe(1000);
      const stats = await callOk<{ total: number }>(sessions[0]!, 'get_memory_stats');
      expect(stats.total).toBe(1000);
      // Every write is individually findable, with the right author.
      const probe = await callOk<{ results: { content: string; agent: string }[] }>(sessions[1]!, 'search_memories', { query: 'marker-3-137', mode: 'keyword', limit: 1 });
      expect(probe.results[0]).toMatchObject({ content: 'session 3 note 137 marker-3-137', agent: 'agent-3@1.0.0' });
    } finally {
      await Promise.all(sessions.map((c) => c.close()));
    }
  });
});
