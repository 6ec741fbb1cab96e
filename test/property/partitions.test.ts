import { afterAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';
import { mulberry32 } from '../helpers/prng.js';

interface View {
  id: string;
  content: string;
  deleted: boolean;
}

const SEED = Number(process.env['TEST_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const OPERATIONS = 36;

async function call<T>(host: TestHost, method: string, params: unknown): Promise<T> {
  const client = await DaemonClient.connect(homePaths(host.home.dir).socket, { agent: `prop-${host.name}` });
  try {
    return await client.call<T>(method, params);
  } finally {
    client.close();
  }
}

/** Everything a host holds: live and soft-deleted memories, by id. */
async function stateOf(host: TestHost): Promise<Map<string, View>> {
  const live = await call<{ results: View[] }>(host, 'memory.recent', { hours: 24 * 365, limit: 500 });
  const deleted = await call<{ results: View[] }>(host, 'memory.listDeleted', { limit: 500 });
  return new Map([...live.results, ...deleted.results].map((m) => [m.id, { id: m.id, content: m.content, deleted: m.deleted }]));
}

describe('convergence under random partitions, restarts and SIGKILL', () => {
  const hosts: TestHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
  });

  it(`all peers converge and no acknowledged write is lost (seed ${SEED})`, { timeout: 300_000 }, async () => {
    process.stderr.write(`[property] seed ${SEED} (replay with TEST_SEED=${SEED})\n`);
    const rand = mulberry32(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    for (const name of ['p1', 'p2', 'p3']) hosts.push(await TestHost.create(name));
    await hosts[0]!.start();
    await joinMesh(hosts[0]!, hosts[1]!);
    await joinMesh(hosts[1]!, hosts[2]!);
    for (const h of hosts) await eventually(async () => (await h.json<{ peers: { removed: boolean }[] }>(['peers'])).peers.length === 3, `${h.name} knows every member`, 60_000);

    const running = new Set(hosts);
    const acked = new Set<string>();
    const erased = new Set<string>();
    const log: string[] = [];
    for (let op = 0; op < OPERATIONS; op++) {
      const r = rand();
      const up = [...running];
      const host = pick(up);
      if (r < 0.5) {
        const { id } = await call<{ id: string }>(host, 'memory.store', { content: `property note ${op} from ${host.name}` });
        acked.add(id);
        log.push(`${op} store ${id.slice(0, 8)} on ${host.name}`);
      } else if (r < 0.62 && acked.size) {
        const id = pick([...acked]);
        const ok = await call(host, 'memory.update', { memory_id: id, content: `property note edited at ${op} on ${host.name}` }).then(() => true, () => false);
        log.push(`${op} update ${id.slice(0, 8)} on ${host.name}: ${ok ? 'ok' : 'refused (not there yet, or deleted)'}`);
      } else if (r < 0.7 && acked.size) {
        const id = pick([...acked]);
        const ok = await call(host, 'memory.delete', { memory_id: id }).then(() => true, () => false);
        log.push(`${op} soft-delete ${id.slice(0, 8)} on ${host.name}: ${ok}`);
      } else if (r < 0.74 && acked.size) {
        const id = pick([...acked]);
        const ok = await call(host, 'memory.delete', { memory_id: id, hard_delete: true }).then(() => true, () => false);
        if (ok) {
          acked.delete(id);
          erased.add(id);
        }
        log.push(`${op} erase ${id.slice(0, 8)} on ${host.name}: ${ok}`);
      } else if (r < 0.8) {
        // Duplicate delivery: an extra pull re-offers what the host already has.
        await call(host, 'mesh.sync', {}).catch(() => undefined);
        log.push(`${op} sync on ${host.name}`);
      } else {
        const down = hosts.filter((h) => !running.has(h));
        if (down.length && (rand() < 0.5 || up.length === 1)) {
          const back = pick(down);
          await back.start();
          running.add(back);
          log.push(`${op} restart ${back.name}`);
        } else if (up.length > 1) {
          const victim = pick(up);
          if (rand() < 0.5) await victim.kill();
          else await victim.stop();
          running.delete(victim);
          log.push(`${op} ${victim.name} goes down`);
        }
      }
    }
    for (const h of hosts) if (!running.has(h)) await h.start();

    const signature = async (h: TestHost) => JSON.stringify([...(await stateOf(h)).values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
    await eventually(async () => {
      const sigs = await Promise.all(hosts.map(signature));
      return sigs.every((s) => s === sigs[0]);
    }, `convergence (seed ${SEED})\n${log.join('\n')}`, 120_000).catch(async (err: Error) => {
      const states = await Promise.all(hosts.map(async (h) => `${h.name}: ${[...(await stateOf(h)).values()].map((v) => `${v.id.slice(0, 8)}${v.deleted ? '(del)' : ''}=${v.content.slice(-28)}`).sort().join(' | ')}`));
      throw new Error(`${err.message}\n${states.join('\n')}`);
    });

    const final = await stateOf(hosts[0]!);
    for (const id of acked) expect(final.has(id), `acknowledged ${id} (seed ${SEED})`).toBe(true);
    for (const id of erased) {
      expect(final.has(id)).toBe(false);
      for (const h of hosts) expect((await h.cli(['get', id])).stderr).toMatch(/was erased/);
    }
  });
});
