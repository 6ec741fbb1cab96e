/**
 * Local socket flood (issue #10 item 6): N connections each send all but the last byte of an
 * 8 MiB - 1 frame and hang. Reports the daemon's peak resident memory growth (VmHWM), how many
 * connections it closed, and whether it still answers. Median of runs, one fresh home each.
 *
 *   node --import tsx scripts/bench/socket-flood.ts [--connections 40] [--runs 3]
 */
import '../../src/polyfills.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_IPC_FRAME_BYTES } from '../../src/constants.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { machine, median, mib, table } from './stats.js';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '40' }, runs: { type: 'string', default: '3' } } });
const CONNECTIONS = Number(values.connections);
const RUNS = Number(values.runs);
const MESH_BIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const ENV = { ...process.env, MESH_LOG: 'warn', MESH_P2P_LISTEN: '/ip4/127.0.0.1/tcp/0', MESH_NO_DISCOVERY: '1' };

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MESH_BIN, ...args], { env: ENV, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mesh ${args[0]} exited ${code}`))));
  });
}

function peak(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

async function flood(home: string): Promise<{ growth: number; closed: number; answers: boolean }> {
  const path = homePaths(home).socket;
  const pid = Number(readFileSync(join(home, 'daemon.pid'), 'utf8').trim());
  const before = peak(pid);
  const body = MAX_IPC_FRAME_BYTES - 1;
  let closed = 0;
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: CONNECTIONS },
      () =>
        new Promise<void>((resolve) => {
          const s = createConnection(path, () => {
            const header = Buffer.alloc(4);
            header.writeUInt32BE(body, 0);
            s.write(Buffer.concat([header, Buffer.alloc(body - 1, 0x20)]), () => resolve());
          });
          sockets.push(s);
          s.on('error', () => undefined);
          s.once('close', () => {
            closed++;
            resolve();
          });
        }),
    ),
  );
  const growth = peak(pid) - before;
  let answers = false;
  try {
    const c = await DaemonClient.connect(path, { agent: 'bench' });
    answers = (await c.call('daemon.ping', {})).pong;
    c.close();
  } catch {
    answers = false;
  }
  for (const s of sockets) s.destroy();
  return { growth, closed, answers };
}

const results: { growth: number; closed: number; answers: boolean }[] = [];
for (let i = 0; i < RUNS; i++) {
  const home = mkdtempSync(join(tmpdir(), 'mesh-flood-'));
  try {
    await run(['init', '--home', home]);
    // Keyword-only: the model's memory is not what is measured.
    writeFileSync(join(home, 'config.json'), JSON.stringify({ embedding: { enabled: false } }));
    await run(['store', 'flood warm-up', '--home', home]);
    results.push(await flood(home));
    await run(['stop', '--home', home]);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
console.log(`socket flood: ${CONNECTIONS} connections x ${mib(MAX_IPC_FRAME_BYTES - 1)} hanging, ${RUNS} runs, ${machine()}`);
table(
  ['peak RSS growth (median)', 'connections closed (median)', 'daemon answers after'],
  [[mib(median(results.map((r) => r.growth))), median(results.map((r) => r.closed)), results.every((r) => r.answers) ? 'yes' : 'no']],
);
