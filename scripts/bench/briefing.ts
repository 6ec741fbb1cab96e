/**
 * Session-start briefing latency (issue 14 target: p50 <= 300 ms with a running daemon): what a
 * Claude Code session waits for, i.e. spawning the hook (`node dist/src/cli/hookMain.js
 * session-start`, hook JSON on stdin) until it exits, against a daemon holding N memories; beside
 * it the `hook.briefing` socket call alone. Memories are seeded through the import API with the
 * embedding model off (the briefing does not use vectors; seeding stays fast).
 *
 *   npm run build && node --import tsx scripts/bench/briefing.ts [--memories 10000] [--runs 15]
 *
 * The seeded home is kept in `.bench/briefing-N` and copied for later runs (seeding 100k through
 * the socket takes many minutes on a loaded machine), or `--home-from DIR` copies a home that holds
 * N memories already; each run prints the load average.
 */
import '../../src/polyfills.js';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { MESH_BIN, TEST_ENV } from '../../test/helpers/cli.js';
import { freePort, TestHost } from '../../test/helpers/meshHosts.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import { mulberry32, syntheticMemory } from './corpus.js';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({ options: { memories: { type: 'string', default: '10000' }, runs: { type: 'string', default: '15' }, 'home-from': { type: 'string' } } });
const N = Number(values.memories);
const RUNS = Number(values.runs);
const HOOK_MAIN = join(MESH_BIN, '..', 'hookMain.js');

function runHook(home: string): Promise<{ ms: number; chars: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [HOOK_MAIN, 'session-start', '--home', home], { env: { ...process.env, ...TEST_ENV } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve({ ms: performance.now() - t0, chars: out.length }));
    child.stdin.end(JSON.stringify({ session_id: randomUUID(), transcript_path: '/none', cwd: '/home/dev/payments', hook_event_name: 'SessionStart', source: 'startup' }));
  });
}

// `--home-from DIR`: a copy of an existing home holding N memories (e.g. stopDuringSync's
// `.bench/stop-src-100000`, embedding off) instead of seeding one through the socket.
const CACHE = values['home-from'] ? resolve(values['home-from']) : resolve('.bench', `briefing-${N}`);
const fresh = !existsSync(homePaths(CACHE).db);
const home = fresh ? { dir: CACHE, cleanup: () => undefined } : tmpHome('mh-brief-');
if (!fresh) {
  spawnSync('cp', ['-a', `${CACHE}/.`, home.dir]);
  spawnSync('rm', ['-f', join(home.dir, 'daemon.sock'), join(home.dir, 'daemon.pid')]);
}
const host = new TestHost('bench-host', await freePort(), home);
try {
  if (fresh) {
    const init = await host.cli(['init', '--name', 'bench-host']);
    if (init.code !== 0) throw new Error(init.stderr);
    writeFileSync(join(home.dir, 'config.json'), JSON.stringify({ embedding: { enabled: false } }));
  }
  await host.start();
  const client = await DaemonClient.connect(homePaths(home.dir).socket, { agent: 'bench' });
  if (fresh) {
    const rand = mulberry32(14);
    const t0 = performance.now();
    for (let i = 0; i < N; i += 500) {
      const now = new Date().toISOString();
      const batch = Array.from({ length: Math.min(500, N - i) }, (_, k) => ({ ...syntheticMemory(rand, i + k), id: randomUUID(), machine: 'bench-host', agent: 'bench', created_at: now, updated_at: now }));
      await client.call('memory.importBatch', { memories: batch }, { timeoutMs: 600_000 });
    }
    console.error(`seeded ${N} memories in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const total = (await client.call('memory.stats', {})).total;
  if (total !== N) throw new Error(`the home holds ${total} memories, expected ${N}`);
  const loadAtStart = loadavg()[0]!.toFixed(1);
  // A daemon just started on a copied home is still verifying its store and building its
  // digest: warm up, so the figures are a running daemon's.
  for (let i = 0; i < 5; i++) await client.call('hook.briefing', { project: 'payments', source: 'startup' });
  await new Promise((r) => setTimeout(r, 3000));
  const direct: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await client.call('hook.briefing', { project: 'payments', source: 'startup' });
    direct.push(performance.now() - t);
  }
  client.close();
  const hook: number[] = [];
  let chars = 0;
  await runHook(home.dir); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    const r = await runHook(home.dir);
    hook.push(r.ms);
    chars = r.chars;
  }
  const node: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await new Promise((r) => spawn(process.execPath, ['-e', '0']).on('close', r));
    node.push(performance.now() - t);
  }
  console.log(`${machine()}; ${N} memories; ${RUNS} runs; briefing ${chars} chars; load ${loadAtStart} → ${loadavg()[0]!.toFixed(1)}`);
  table(
    ['what', 'p50 ms', 'p95 ms'],
    [
      ['hook process (spawn → exit)', median(hook).toFixed(0), percentile(hook, 95).toFixed(0)],
      ['hook.briefing socket call', median(direct).toFixed(1), percentile(direct, 95).toFixed(1)],
      ['node -e 0 (start-up floor)', median(node).toFixed(0), percentile(node, 95).toFixed(0)],
    ],
  );
} finally {
  if (fresh) await host.stop();
  else await host.dispose();
}
