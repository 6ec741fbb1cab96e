/**
 * Fleet scale (issue 16, item 2): one mesh of N real daemons, each in its own network namespace
 * with a veth link to every other host (root only; see scripts/chaos/netnsNetwork.ts), one live
 * agent session per host (as a host running one coding agent). For each N:
 * - write-to-every-host: a store on a random host until every host can read it (sequential writes,
 *   each host polled over one kept socket), p50 / p95;
 * - idle, then under a steady mesh-wide write rate: per host, bytes and packets per minute through
 *   its links (its namespace's interface counters), CPU (utime + stime of its daemon) and
 *   established TCP connections.
 * Build first (`npm run build`).
 *
 *   node --import tsx scripts/bench/fleet.ts [--sizes 5,15,30] [--writes 20] [--window-s 30] [--rate 60] [--form-s 900]
 */
import '../../src/polyfills.js';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { mulberry32 } from '../../test/helpers/prng.js';
import { bringUpMesh } from '../chaos/bringUpMesh.js';
import { ChaosHost } from '../chaos/chaosHost.js';
import { NetnsNetwork } from '../chaos/netnsNetwork.js';
import { machine, median, percentile, table } from './stats.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '5,15,30' },
    writes: { type: 'string', default: '20' },
    'window-s': { type: 'string', default: '30' },
    /** Mesh-wide writes per minute in the loaded window. */
    rate: { type: 'string', default: '60' },
    seed: { type: 'string', default: '16' },
    /** How long the mesh may take to form (every host connected to every other) before the bench gives up. */
    'form-s': { type: 'string', default: '900' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const WRITES = Number(values.writes);
const WINDOW_MS = Number(values['window-s']) * 1000;
const RATE = Number(values.rate);
/** A write not everywhere after this is reported as lost (and fails the bench). */
const DELIVERY_TIMEOUT_MS = 60_000;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

if (!NetnsNetwork.available()) throw new Error('the fleet bench needs root on Linux (network namespaces)');

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

interface Sample {
  at: number;
  bytes: number[];
  packets: number[];
  cpu: number[];
}

async function sample(net: NetnsNetwork, hosts: ChaosHost[], pids: number[]): Promise<Sample> {
  const traffic = await Promise.all(hosts.map((h) => net.traffic(h.index)));
  return { at: Date.now(), bytes: traffic.map((t) => t.bytes), packets: traffic.map((t) => t.packets), cpu: pids.map(cpuSeconds) };
}

/** Per host, per minute, between two samples: median and max over hosts. */
function rates(a: Sample, b: Sample): { kbMin: [number, number]; pktMin: [number, number]; cpuPct: [number, number] } {
  const minutes = (b.at - a.at) / 60_000;
  const per = (xs: number[], ys: number[], scale: number) => ys.map((y, i) => ((y - xs[i]!) * scale) / minutes);
  const kb = per(a.bytes, b.bytes, 1 / 1024);
  const pkt = per(a.packets, b.packets, 1);
  const cpu = per(a.cpu, b.cpu, 100 / 60);
  const mm = (xs: number[]): [number, number] => [median(xs), Math.max(...xs)];
  return { kbMin: mm(kb), pktMin: mm(pkt), cpuPct: mm(cpu) };
}

async function writeToEveryHost(hosts: ChaosHost[], clients: DaemonClient[], rand: () => number, n: number): Promise<number> {
  const writer = Math.floor(rand() * hosts.length);
  const t0 = performance.now();
  const { id } = await clients[writer]!.call('memory.store', { content: `fleet write ${n} from ${hosts[writer]!.name}`, category: 'infrastructure' });
  const missing = new Set(hosts.map((_, i) => i).filter((i) => i !== writer));
  while (missing.size) {
    if (performance.now() - t0 > DELIVERY_TIMEOUT_MS) throw new Error(`write ${id} not on ${[...missing].map((i) => hosts[i]!.name).join(', ')} after ${DELIVERY_TIMEOUT_MS / 1000} s`);
    await Promise.all(
      [...missing].map(async (i) => {
        const ok = await clients[i]!.call('memory.retrieve', { memory_id: id }).then(
          () => true,
          () => false,
        );
        if (ok) missing.delete(i);
      }),
    );
    if (missing.size) await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - t0;
}

async function measure(size: number): Promise<(string | number)[]> {
  const net = new NetnsNetwork();
  const hosts: ChaosHost[] = [];
  const clients: DaemonClient[] = [];
  const rand = mulberry32(Number(values.seed) + size);
  try {
    await net.setup(size);
    for (let i = 0; i < size; i++) {
      const h = new ChaosHost(i, `f${i}`, 4100, net);
      hosts.push(h);
      await h.init();
    }
    const upStart = Date.now();
    await bringUpMesh(hosts, Number(values['form-s']) * 1000);
    const upS = (Date.now() - upStart) / 1000;
    for (const h of hosts) {
      const c = await DaemonClient.connect(homePaths(h.home.dir).socket, { agent: `fleet-${h.name}`, session: `s-${h.name}` });
      await c.call('agent.register', { role: `agent on ${h.name}` });
      clients.push(c);
    }
    const pids = hosts.map((h) => h.daemonPid());
    // Let the joins' catch-up and the first presence exchanges pass before the idle window.
    await new Promise((r) => setTimeout(r, 10_000));

    const idle0 = await sample(net, hosts, pids);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const idle1 = await sample(net, hosts, pids);
    const conns = await Promise.all(hosts.map((h) => net.connections(h.index)));

    const latencies: number[] = [];
    for (let n = 0; n < WRITES; n++) latencies.push(await writeToEveryHost(hosts, clients, rand, n));

    const load0 = await sample(net, hosts, pids);
    const gap = 60_000 / RATE;
    const end = Date.now() + WINDOW_MS;
    for (let n = 0; Date.now() < end; n++) {
      const w = Math.floor(rand() * hosts.length);
      const next = Date.now() + gap;
      await clients[w]!.call('memory.store', { content: `steady write ${n} from ${hosts[w]!.name}`, category: 'project' });
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
    const load1 = await sample(net, hosts, pids);
    const idle = rates(idle0, idle1);
    const load = rates(load0, load1);
    const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
    const pair = (p: [number, number]) => `${f(p[0])} / ${f(p[1])}`;
    return [
      size,
      Math.round(percentile(latencies, 50)),
      Math.round(percentile(latencies, 95)),
      Math.round(Math.max(...latencies)),
      pair(idle.kbMin),
      pair(idle.pktMin),
      pair(idle.cpuPct),
      pair(load.kbMin),
      pair(load.pktMin),
      pair(load.cpuPct),
      `${median(conns)} / ${Math.max(...conns)}`,
      upS.toFixed(0),
      loadavg()[0]!.toFixed(1),
    ];
  } finally {
    for (const c of clients) c.close();
    await Promise.all(hosts.map((h) => h.dispose()));
    await net.teardown();
  }
}

const rows: (string | number)[][] = [];
for (const size of SIZES) {
  process.stderr.write(`[fleet] ${size} hosts...\n`);
  rows.push(await measure(size));
  process.stderr.write(`[fleet] ${JSON.stringify(rows.at(-1))}\n`);
}
console.log(`\nfleet bench: ${machine()}; ${WRITES} writes; windows ${WINDOW_MS / 1000} s; steady rate ${RATE} writes/min mesh-wide; per host: median / max\n`);
table(
  ['hosts', 'write→all p50 ms', 'p95 ms', 'max ms', 'idle KiB/min', 'idle pkts/min', 'idle CPU %', 'loaded KiB/min', 'loaded pkts/min', 'loaded CPU %', 'TCP conns', 'mesh up s', 'load avg'],
  rows,
);
