/**
 * Cold start and search latency at scale (issues 2 and 3): a home with N synthetic memories
 * (built once, reused from --home), a real `mesh daemon` process, and the MCP SDK client over
 * stdio. Reports: cold start until the first search is answered (median of runs), resident
 * memory, and search_memories p50/p95 per mode once the vector index is complete.
 * Targets: cold start <= 2 s at 100k; search p50 <= 10 ms through MCP.
 *
 *   node --import tsx scripts/bench/search-latency.ts [--n 100000] [--home .bench/home100k] [--runs 3] [--queries 200]
 */
import '../../src/polyfills.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initHome } from '../../src/daemon/initHome.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { callOk, MESH_BIN, mcpClient, mesh, TEST_ENV } from '../../test/helpers/cli.js';
import { ACTOR, openStack } from '../../test/helpers/memoryStack.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, mib, percentile, rssOf, table } from './stats.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '100000' }, home: { type: 'string', default: '.bench/home100k' }, runs: { type: 'string', default: '3' }, queries: { type: 'string', default: '200' } } });
const N = Number(values.n);
const HOME = resolve(values.home);
const RUNS = Number(values.runs);
const QUERIES = Number(values.queries);
const env = { ...process.env, ...TEST_ENV };

async function populate(): Promise<void> {
  if (existsSync(homePaths(HOME).db)) return;
  await initHome(HOME, { name: 'bench' });
  const stack = await openStack(HOME);
  const rand = mulberry32(11);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) {
        const i = next++;
        await stack.memories.store(syntheticMemory(rand, i), ACTOR);
        if (i % 10_000 === 0) process.stderr.write(`populated ${i}/${N} (${Math.round(performance.now() - t0)} ms)\n`);
      }
    }),
  );
  await stack.close();
}

async function coldStart(): Promise<{ ms: number; rss: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [MESH_BIN, 'daemon', '--home', HOME, '--background'], { stdio: 'ignore', env });
  let client: DaemonClient | undefined;
  while (!client) {
    try {
      client = await DaemonClient.connect(homePaths(HOME).socket, { agent: 'bench' });
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  await client.call('memory.search', { query: 'ERR_CONN_REFUSED heap', limit: 10, mode: 'keyword' });
  const ms = performance.now() - t0;
  const rss = rssOf(child.pid!);
  await client.call('daemon.stop', {});
  client.close();
  await new Promise((r) => child.once('exit', r));
  return { ms, rss };
}

await populate();
console.log(`# cold start and search latency — ${new Date().toISOString().slice(0, 10)} — ${machine()}`);
const colds: { ms: number; rss: number }[] = [];
for (let r = 0; r < RUNS; r++) colds.push(await coldStart());
table(['memories', 'cold start to first search, ms (median)', 'runs', 'RSS at first search, MiB', 'vs 2,000 ms target'], [[N, Math.round(median(colds.map((c) => c.ms))), colds.map((c) => Math.round(c.ms)).join(' / '), mib(median(colds.map((c) => c.rss))), `${(median(colds.map((c) => c.ms)) / 2000).toFixed(2)}×`]]);

// Search latency through MCP, once the vector index has caught up (first run builds it in the background).
const client = await mcpClient(HOME, 'bench');
const t0 = performance.now();
for (;;) {
  const m = JSON.parse((await mesh(['model', '--home', HOME, '--json'])).stdout) as { loaded: boolean; vectors?: number; queued?: number; rebuilding?: unknown };
  if (m.loaded && !m.rebuilding && m.queued === 0 && (m.vectors ?? 0) >= N) break;
  await new Promise((r) => setTimeout(r, 2000));
}
console.log(`\nvector index ready after ${Math.round((performance.now() - t0) / 1000)} s`);
const rand = mulberry32(99);
const queries = Array.from({ length: QUERIES }, (_, i) => {
  const m = syntheticMemory(rand, i);
  const words = m.content.split(' ');
  return i % 2 ? words.slice(0, 4).join(' ') : (words.find((w) => /\d/.test(w)) ?? words[0]!);
});
const rows: (string | number)[][] = [];
for (const mode of ['keyword', 'semantic', 'hybrid']) {
  const runs: number[][] = [];
  for (let r = 0; r < RUNS; r++) {
    const times: number[] = [];
    for (const q of queries) {
      const s = performance.now();
      await callOk(client, 'search_memories', { query: q, mode, limit: 10 });
      times.push(performance.now() - s);
    }
    runs.push(times);
  }
  const p50 = median(runs.map((t) => percentile(t, 50)));
  rows.push([mode, p50.toFixed(2), median(runs.map((t) => percentile(t, 95))).toFixed(2), `${(p50 / 10).toFixed(2)}×`]);
}
console.log(`\nsearch_memories through MCP over ${N} memories, ${QUERIES} queries (half short phrases, half exact tokens) x ${RUNS} runs, limit 10`);
table(['mode', 'p50 ms', 'p95 ms', 'p50 vs 10 ms target'], rows);
await client.close();
await mesh(['stop', '--home', HOME]);
