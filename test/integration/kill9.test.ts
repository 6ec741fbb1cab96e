import { afterAll, describe, expect, it } from 'vitest';
import { callOk, daemonPid, mcpClient, mesh, waitForExit } from '../helpers/cli.js';
import { tmpHome } from '../helpers/tmpHome.js';

describe('durability', () => {
  const home = tmpHome();
  afterAll(async () => {
    await mesh(['stop', '--home', home.dir]);
    home.cleanup();
  });

  it('every acknowledged store survives SIGKILL of the daemon', async () => {
    const client = await mcpClient(home.dir);
    const acked: string[] = [];
    // Keep writing concurrently and kill the daemon while writes are in flight.
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; ; i++) {
        try {
          const { id } = await callOk<{ id: string }>(client, 'store_memory', { content: `durable ${w}-${i}` });
          acked.push(id);
        } catch {
          return;
        }
        if (acked.length >= 150) return;
      }
    });
    while (acked.length < 100) await new Promise((r) => setImmediate(r));
    const pid = daemonPid(home.dir);
    process.kill(pid, 'SIGKILL');
    await Promise.all(writers);
    await waitForExit(pid);
    await client.close();

    // The next session restarts the daemon from the same home (stale socket, no clean shutdown).
    const after = await mcpClient(home.dir);
    try {
      for (const id of acked) {
        const m = await callOk<{ id: string }>(after, 'retrieve_memory', { memory_id: id });
        expect(m.id).toBe(id);
      }
      expect(daemonPid(home.dir)).not.toBe(pid);
      const stats = await callOk<{ total: number }>(after, 'get_memory_stats');
      expect(stats.total).toBeGreaterThanOrEqual(acked.length);
    } finally {
      await after.close();
    }
  });
});
