/**
 * store_memory latency through MCP (issue 2 target: p50 <= 10 ms, no embedding): a real `mesh mcp`
 * process driven by the MCP SDK client over stdio, as Claude Code drives it. Each store includes
 * embedding the memory with the bundled model (the call returns once its vector is indexed). Baseline: the same
 * store sent straight to the daemon's socket, which shows what the MCP layer adds.
 *
 *   node --import tsx scripts/bench/mcp-store.ts [--calls 500] [--runs 3]
 */
import '../../src/polyfills.js';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { homePaths } from '../../src/home.js';
import { callOk, mcpClient, mesh } from '../../test/helpers/cli.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '500' }, runs: { type: 'string', default: '3' } } });
const CALLS = Number(values.calls);
const RUNS = Number(values.runs);

async function run(seed: number): Promise<{ mcp: number[]; direct: number[] }> {
  const home = tmpHome('bench-mcp-');
  const rand = mulberry32(seed);
  const client = await mcpClient(home.dir, 'bench');
  const mcp: number[] = [];
  const direct: number[] = [];
  try {
    for (let i = 0; i < 50; i++) await callOk(client, 'store_memory', syntheticMemory(rand, i) as unknown as Record<string, unknown>);
    // Measure with the embedding model loaded, so every store includes embedding its memory.
    const probe = await DaemonClient.connect(homePaths(home.dir).socket, { agent: 'bench' });
    while (!(await probe.call('daemon.model', {})).loaded) await new Promise((r) => setTimeout(r, 50));
    probe.close();
    for (let i = 0; i < CALLS; i++) {
      const item = syntheticMemory(rand, i) as unknown as Record<string, unknown>;
      const t0 = performance.now();
      await callOk(client, 'store_memory', item);
      mcp.push(performance.now() - t0);
    }
    const socket = await DaemonClient.connect(homePaths(home.dir).socket, { agent: 'bench' });
    for (let i = 0; i < CALLS; i++) {
      const item = syntheticMemory(rand, i);
      const t0 = performance.now();
      await socket.call('memory.store', item);
      direct.push(performance.now() - t0);
    }
    socket.close();
  } finally {
    await client.close();
    await mesh(['stop', '--home', home.dir]);
    rmSync(home.dir, { recursive: true, force: true });
  }
  return { mcp, direct };
}

console.log(`# store_memory latency — ${new Date().toISOString().slice(0, 10)} — ${machine()}`);
console.log(`${RUNS} runs x ${CALLS} sequential calls after 50 warm-up calls; medians of the per-run percentiles\n`);
const runs: { mcp: number[]; direct: number[] }[] = [];
for (let r = 0; r < RUNS; r++) runs.push(await run(r + 1));
const med = (pick: (r: { mcp: number[]; direct: number[] }) => number[], p: number) => median(runs.map((r) => percentile(pick(r), p)));
const mcp50 = med((r) => r.mcp, 50);
const direct50 = med((r) => r.direct, 50);
table(
  ['path', 'p50 ms', 'p95 ms', 'p99 ms', 'p50 vs 10 ms target', 'p50 vs direct socket'],
  [
    ['MCP stdio → mesh mcp → daemon', mcp50.toFixed(2), med((r) => r.mcp, 95).toFixed(2), med((r) => r.mcp, 99).toFixed(2), `${(mcp50 / 10).toFixed(2)}×`, `${(mcp50 / direct50).toFixed(2)}×`],
    ['daemon socket (baseline)', direct50.toFixed(2), med((r) => r.direct, 95).toFixed(2), med((r) => r.direct, 99).toFixed(2), `${(direct50 / 10).toFixed(2)}×`, '1.00×'],
  ],
);
