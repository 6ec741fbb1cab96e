/**
 * Load while syncing (issue 16, item 4): three real daemons meshed on 127.0.0.1. On host A, N
 * agent sessions (each a real `mesh mcp` process driven by the MCP SDK client over stdio) run M
 * mixed operations each (store, search, update, delete, board create, board move; MESH_TOOLS
 * core,kanban), all at once,
 * while host B stores at a steady rate that A replicates. Reports per operation type p50 / p99,
 * errors (must be 0), lost writes (every write A acknowledged in its final state on B and C, every
 * B write on A and C) and A's daemon RSS over the run. Build first (`npm run build`).
 *
 *   node --import tsx scripts/bench/load-while-syncing.ts [--sessions 10] [--ops 1000] [--b-rate 2] [--seed 16]
 */
import '../../src/polyfills.js';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { callOk, daemonPid, mcpClient } from '../../test/helpers/cli.js';
import { TestHost, joinMesh } from '../../test/helpers/meshHosts.js';
import { mulberry32 } from '../../test/helpers/prng.js';
import { machine, mib, percentile, rssOf, table } from './stats.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10' },
    ops: { type: 'string', default: '1000' },
    /** Host B's stores per second during the run. */
    'b-rate': { type: 'string', default: '2' },
    seed: { type: 'string', default: '16' },
  },
});
const SESSIONS = Number(values.sessions);
const OPS = Number(values.ops);
const B_RATE = Number(values['b-rate']);
const SEED = Number(values.seed);
/** Time every host gets, after the load, to converge before a missing write counts as lost. */
const CONVERGE_MS = 120_000;
const RSS_EVERY_MS = 1_000;

type Op = 'store' | 'search' | 'update' | 'delete' | 'task_create' | 'task_move';
const OPS_KINDS: Op[] = ['store', 'search', 'update', 'delete', 'task_create', 'task_move'];
/** Cumulative weights of the mix: writes dominate, as an agent saving as it works. */
const MIX: [Op, number][] = [['store', 0.3], ['search', 0.55], ['update', 0.7], ['delete', 0.8], ['task_create', 0.9], ['task_move', 1]];
const STATUSES = ['in_progress', 'review', 'done', 'todo'] as const;

/** What A acknowledged, in its final state, so B and C can be checked against it. */
interface Expected {
  memories: Map<string, { content: string; deleted: boolean }>;
  tasks: Map<string, string>;
}

const latencies = new Map<Op, number[]>(OPS_KINDS.map((k) => [k, []]));
const errors: { op: Op; message: string }[] = [];

function pick(rand: () => number): Op {
  const r = rand();
  return MIX.find(([, w]) => r < w)![0];
}

async function session(client: Client, s: number, expected: Expected): Promise<void> {
  const rand = mulberry32(SEED * 1000 + s);
  const live: string[] = [];
  const tasks: string[] = [];
  for (let i = 0; i < OPS; i++) {
    let op = pick(rand);
    if ((op === 'update' || op === 'delete') && live.length === 0) op = 'store';
    if (op === 'task_move' && tasks.length === 0) op = 'task_create';
    const t0 = performance.now();
    try {
      switch (op) {
        case 'store': {
          const content = `session ${s} note ${i}: deploy step ${Math.floor(rand() * 1e6)} uses port ${1000 + i}`;
          const { id } = await callOk<{ id: string }>(client, 'store_memory', { content, tags: [`s${s}`] });
          expected.memories.set(id, { content, deleted: false });
          live.push(id);
          break;
        }
        case 'search':
          await callOk(client, 'search_memories', { query: `deploy step port ${1000 + Math.floor(rand() * (i + 1))}`, limit: 10 });
          break;
        case 'update': {
          const id = live[Math.floor(rand() * live.length)]!;
          const content = `session ${s} note revised at op ${i}`;
          await callOk(client, 'update_memory', { memory_id: id, content });
          expected.memories.set(id, { content, deleted: false });
          break;
        }
        case 'delete': {
          const id = live.splice(Math.floor(rand() * live.length), 1)[0]!;
          await callOk(client, 'delete_memory', { memory_id: id, reason: 'bench' });
          expected.memories.get(id)!.deleted = true;
          break;
        }
        case 'task_create': {
          const t = await callOk<{ id: string; status: string }>(client, 'create_kanban_task', { title: `session ${s} task ${i}` });
          expected.tasks.set(t.id, t.status);
          tasks.push(t.id);
          break;
        }
        case 'task_move': {
          const id = tasks[Math.floor(rand() * tasks.length)]!;
          const status = STATUSES[Math.floor(rand() * STATUSES.length)]!;
          const t = await callOk<{ id: string; status: string }>(client, 'update_kanban_task', { task_id: id, status, force: true });
          expected.tasks.set(id, t.status);
          break;
        }
      }
      latencies.get(op)!.push(performance.now() - t0);
    } catch (err) {
      errors.push({ op, message: (err as Error).message.slice(0, 300) });
    }
  }
}

/** Writes of `expected` not (yet) on the host behind `c` in their final state. */
async function missingOn(c: DaemonClient, expected: Expected): Promise<string[]> {
  const missing: string[] = [];
  for (const [id, want] of expected.memories) {
    const got = await c.call('memory.retrieve', { memory_id: id }).then(
      (m) => m,
      () => undefined,
    );
    const ok = want.deleted ? got === undefined || got.deleted_at !== null : got !== undefined && got.deleted_at === null && got.content === want.content;
    if (!ok) missing.push(id);
  }
  for (const [id, status] of expected.tasks) {
    const got = await c.call('task.get', { task_id: id }).then(
      (t) => t.status,
      () => undefined,
    );
    if (got !== status) missing.push(id);
  }
  return missing;
}

async function converge(c: DaemonClient, expected: Expected): Promise<string[]> {
  const deadline = Date.now() + CONVERGE_MS;
  let missing = await missingOn(c, expected);
  while (missing.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    missing = await missingOn(c, expected);
  }
  return missing;
}

const hosts: TestHost[] = [];
const clients: Client[] = [];
const sockets: DaemonClient[] = [];
try {
  const load0 = loadavg()[0]!.toFixed(2);
  for (const name of ['A', 'B', 'C']) hosts.push(await TestHost.create(name));
  const [a, b, c] = hosts as [TestHost, TestHost, TestHost];
  await a.start();
  await joinMesh(a, b);
  await joinMesh(a, c);
  const [sa, sb, sc] = await Promise.all(hosts.map((h) => DaemonClient.connect(homePaths(h.home.dir).socket, { agent: `bench-${h.name}` })));
  sockets.push(sa!, sb!, sc!);
  for (let s = 0; s < SESSIONS; s++) clients.push(await mcpClient(a.home.dir, `load-${s}`, { MESH_TOOLS: 'core,kanban' }));
  // Searches and stores embed: measure with the model loaded.
  while (!(await sa!.call('daemon.model', {})).loaded) await new Promise((r) => setTimeout(r, 200));

  const pidA = daemonPid(a.home.dir);
  const rss: number[] = [rssOf(pidA)];
  const rssTimer = setInterval(() => rss.push(rssOf(pidA)), RSS_EVERY_MS);
  const fromB: Expected = { memories: new Map(), tasks: new Map() };
  let bErrors = 0;
  let running = true;
  const writerB = (async () => {
    for (let n = 0; running; n++) {
      const content = `host B steady write ${n}`;
      try {
        const { id } = await sb!.call('memory.store', { content, category: 'infrastructure' });
        fromB.memories.set(id, { content, deleted: false });
      } catch (err) {
        bErrors++;
        errors.push({ op: 'store', message: `B: ${(err as Error).message}` });
      }
      await new Promise((r) => setTimeout(r, 1000 / B_RATE));
    }
  })();
  const fromA: Expected = { memories: new Map(), tasks: new Map() };
  const t0 = Date.now();
  await Promise.all(clients.map((cl, s) => session(cl, s, fromA)));
  const loadS = (Date.now() - t0) / 1000;
  running = false;
  await writerB;
  const loadEnd = loadavg()[0]!.toFixed(2);

  const lostOnB = await converge(sb!, fromA);
  const lostOnC = await converge(sc!, fromA);
  const bLostOnA = await converge(sa!, fromB);
  const bLostOnC = await converge(sc!, fromB);
  clearInterval(rssTimer);
  rss.push(rssOf(pidA));

  console.log(`# load while syncing — ${new Date().toISOString().slice(0, 10)} — ${machine()}`);
  console.log(`${SESSIONS} MCP sessions x ${OPS} ops on A (${loadS.toFixed(0)} s, ${((SESSIONS * OPS) / loadS).toFixed(1)} ops/s), B storing ${B_RATE}/s (${fromB.memories.size} writes); load average ${load0} before, ${loadEnd} at the end\n`);
  table(
    ['operation', 'count', 'p50 ms', 'p99 ms', 'errors'],
    OPS_KINDS.map((k) => {
      const xs = latencies.get(k)!;
      return [k, xs.length, xs.length ? percentile(xs, 50).toFixed(1) : '-', xs.length ? percentile(xs, 99).toFixed(1) : '-', errors.filter((e) => e.op === k).length];
    }),
  );
  console.log('');
  table(
    ['check', 'writes', 'lost'],
    [
      ['A acknowledged (memories + tasks, final state) on B', fromA.memories.size + fromA.tasks.size, lostOnB.length],
      ['A acknowledged on C', fromA.memories.size + fromA.tasks.size, lostOnC.length],
      ['B writes on A', fromB.memories.size, bLostOnA.length],
      ['B writes on C', fromB.memories.size, bLostOnC.length],
    ],
  );
  console.log('');
  table(['A daemon RSS', 'start MiB', 'peak MiB', 'end MiB', 'samples'], [['', mib(rss[0]!), mib(Math.max(...rss)), mib(rss.at(-1)!), rss.length]]);
  if (errors.length) console.log(`\nerrors (${errors.length}, B ${bErrors}); first: ${JSON.stringify(errors.slice(0, 5), null, 1)}`);
  const lost = [...lostOnB, ...lostOnC, ...bLostOnA, ...bLostOnC];
  if (lost.length) console.log(`\nlost (first): ${lost.slice(0, 10).join(', ')}`);
  if (errors.length || lost.length) process.exitCode = 1;
} finally {
  for (const cl of clients) await cl.close().catch(() => undefined);
  for (const s of sockets) s.close();
  for (const h of hosts) await h.dispose();
}
