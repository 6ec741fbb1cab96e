/**
 * What agent liveness costs (issue #20): `--agents` registered sessions spread over `--hosts` real
 * daemons on loopback, left connected for `--seconds` with a heartbeat every `--beat` seconds.
 * Measured per host over the window: growth of the store (LevelDB), before and after a full
 * compaction, and TCP bytes the daemons sent each other (`ss` per daemon pid). Extrapolated to a
 * day at the default 30 s heartbeat: 2,880 intervals (a shorter beat only makes the window hold
 * more intervals; each interval costs the same).
 *
 *   npm run build && node --import tsx scripts/bench/heartbeats.ts [--agents 30] [--hosts 3] [--seconds 120] [--beat 1]
 *
 * Runs against whatever the build is, so the same script measures the code before a change
 * (check the older commit out elsewhere, build it, run this file from there).
 */
import '../../src/polyfills.js';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClassicLevel } from 'classic-level';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { joinMesh, TestHost } from '../../test/helpers/meshHosts.js';
import { dirBytes, machine, table } from './stats.js';

const { values } = parseArgs({ options: { agents: { type: 'string', default: '30' }, hosts: { type: 'string', default: '3' }, seconds: { type: 'string', default: '120' }, beat: { type: 'string', default: '1' } } });
const AGENTS = Number(values.agents);
const HOSTS = Number(values.hosts);
const SECONDS = Number(values.seconds);
const BEAT_S = Number(values.beat);
const INTERVALS_PER_DAY = 86_400 / 30;

/** Bytes acknowledged on every TCP connection a process owns (its libp2p links). */
function tcpBytesSent(pid: number): number {
  const out = execFileSync('ss', ['-tinpH', 'state', 'established'], { encoding: 'utf8' });
  let total = 0;
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.includes(`pid=${pid},`)) continue;
    const m = /bytes_acked:(\d+)/.exec(lines[i + 1] ?? '');
    if (m) total += Number(m[1]);
  }
  return total;
}

const pidOf = (h: TestHost) => Number(readFileSync(homePaths(h.home.dir).pidFile, 'utf8').trim());

interface Run {
  /** Mean per host: LevelDB bytes after a full compaction once the daemons stopped. */
  compacted: number;
  /** Mean per host: TCP bytes sent to the other daemons during the window. */
  wire: number;
}

/** One mesh: registers the agents, waits `seconds` with them connected, stops, compacts, measures. */
async function run(seconds: number): Promise<Run> {
  const hosts: TestHost[] = [];
  const sessions: DaemonClient[] = [];
  try {
    for (let i = 0; i < HOSTS; i++) {
      const h = await TestHost.create(`beat-${i}`);
      writeFileSync(join(h.home.dir, 'config.json'), JSON.stringify({ roster: { heartbeatSeconds: BEAT_S, offlineAfterSeconds: BEAT_S * 3, idleAfterSeconds: 600 }, embedding: { enabled: false } }));
      hosts.push(h);
    }
    await hosts[0]!.start();
    for (const h of hosts.slice(1)) await joinMesh(hosts[0]!, h);
    for (let i = 0; i < AGENTS; i++) {
      const h = hosts[i % HOSTS]!;
      const session = randomUUID();
      const client = await DaemonClient.connect(homePaths(h.home.dir).socket, { agent: `bench-${i}`, session });
      await client.call('agent.register', { role: `bench ${i}` }, { ctx: { agent: `bench-${i}`, session } });
      sessions.push(client);
    }
    // Let registration replicate everywhere before the window opens.
    await new Promise((r) => setTimeout(r, 5_000));
    const tcp0 = hosts.map((h) => tcpBytesSent(pidOf(h)));
    await new Promise((r) => setTimeout(r, seconds * 1_000));
    const tcp1 = hosts.map((h) => tcpBytesSent(pidOf(h)));
    for (const s of sessions.splice(0)) s.close();
    for (const h of hosts) await h.stop();
    const compacted: number[] = [];
    for (const h of hosts) {
      const db = new ClassicLevel(homePaths(h.home.dir).db);
      await db.open();
      await db.compactRange('\x00', '\xff');
      await db.close();
      compacted.push(dirBytes(homePaths(h.home.dir).db));
    }
    return { compacted: avg(compacted), wire: avg(tcp1.map((b, i) => b - tcp0[i]!)) };
  } finally {
    for (const s of sessions) s.close();
    for (const h of hosts) await h.dispose();
  }
}

const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;

// The same mesh measured with no window (registration only) and with the window: the difference is what liveness wrote.
const base = await run(0);
const window = await run(SECONDS);
const intervals = SECONDS / BEAT_S;
const diskPerInterval = (window.compacted - base.compacted) / intervals;
const wirePerInterval = window.wire / intervals;
console.log(`\n${machine()}; ${AGENTS} agents on ${HOSTS} hosts; ${SECONDS} s window at a ${BEAT_S} s beat = ${intervals} intervals; figures per host`);
table(
  ['store after compaction: registered only', 'after the window', 'per interval', 'per day (2,880 intervals)', 'TCP sent in the window', 'per interval', 'per day'],
  [[kib(base.compacted), kib(window.compacted), `${diskPerInterval.toFixed(0)} B`, mb(diskPerInterval * INTERVALS_PER_DAY), kib(window.wire), `${wirePerInterval.toFixed(0)} B`, mb(wirePerInterval * INTERVALS_PER_DAY)]],
);
