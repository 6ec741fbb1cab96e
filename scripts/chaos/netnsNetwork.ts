import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { ChaosNetwork } from './network.js';

const run = promisify(execFile);

/** Runs `ip` commands in one process (`ip -batch -`), in namespace `ns` if given. */
function batch(commands: string[], ns?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', [...(ns ? ['-n', ns] : []), '-batch', '-'], (err) => (err ? reject(new Error(`ip -batch: ${err.message}`)) : resolve()));
    child.stdin?.end(commands.join('\n') + '\n');
  });
}

/** The private test subnet, used only inside the run's namespaces (nothing is added to the host's own). */
const SUBNET = '10.201.0.';

/**
 * One network namespace per host (root only). Host i owns 10.201.0.(i+1) on its loopback and one
 * veth link to every other host, with a /32 route to that host over it: no bridge and no
 * forwarding, so a cut link is really cut (no host relays for another). Faults act on one link:
 * - cut: one end set down (its routes go; the other end loses carrier and drops what it sends);
 * - one-way: a blackhole route for the peer in the sender's namespace;
 * - degrade: netem delay + loss on both ends if this kernel has sch_netem, otherwise a 64 kbit/s
 *   token bucket with a 100 ms queue (queueing delay and drops under bursts): see `degradeKind`.
 */
export class NetnsNetwork implements ChaosNetwork {
  readonly kind = 'netns';
  readonly linkFaults = true;
  /** Distinguishes this run's namespaces and links from any other run's. */
  private readonly tag = randomBytes(2).toString('hex');
  private hosts = 0;
  private created: string[] = [];
  degradeKind: 'netem' | 'tbf' = 'tbf';

  static available(): boolean {
    return process.getuid?.() === 0 && process.platform === 'linux';
  }

  private ns(i: number): string {
    return `hmchaos-${this.tag}-${i}`;
  }

  /** The interface in host a's namespace that leads to host b. */
  private dev(b: number): string {
    return `c${this.tag}-${b}`;
  }

  private addr(i: number): string {
    return `${SUBNET}${i + 1}`;
  }

  listenAddress(i: number, port: number): string {
    return `/ip4/${this.addr(i)}/tcp/${port}`;
  }

  spawnPrefix(i: number): string[] {
    return ['ip', 'netns', 'exec', this.ns(i)];
  }

  private async inNs(i: number, ...cmd: string[]): Promise<void> {
    await run('ip', ['netns', 'exec', this.ns(i), ...cmd]);
  }

  async setup(hosts: number): Promise<void> {
    this.hosts = hosts;
    // `ip -batch` per step: a 30-host mesh has 435 links, thousands of commands.
    await batch(Array.from({ length: hosts }, (_, i) => `netns add ${this.ns(i)}`));
    for (let i = 0; i < hosts; i++) this.created.push(this.ns(i));
    const links: string[] = [];
    for (let a = 0; a < hosts; a++) for (let b = a + 1; b < hosts; b++) links.push(`link add ${this.dev(b)} netns ${this.ns(a)} type veth peer name ${this.dev(a)} netns ${this.ns(b)}`);
    await batch(links);
    for (let i = 0; i < hosts; i++) {
      const cmds = ['link set lo up', `addr add ${this.addr(i)}/32 dev lo`];
      for (let j = 0; j < hosts; j++) if (j !== i) cmds.push(`link set ${this.dev(j)} up`);
      for (let j = 0; j < hosts; j++) if (j !== i) cmds.push(`route replace ${this.addr(j)}/32 dev ${this.dev(j)} src ${this.addr(i)}`);
      await batch(cmds, this.ns(i));
    }
    this.degradeKind = await this.probeNetem();
  }

  /** Bytes and packets through host i's links, both directions (its namespace's counters). */
  async traffic(i: number): Promise<{ bytes: number; packets: number }> {
    const { stdout } = await run('ip', ['netns', 'exec', this.ns(i), 'cat', '/proc/net/dev']);
    let bytes = 0;
    let packets = 0;
    for (const line of stdout.split('\n')) {
      const m = /^\s*(\S+):\s*(.*)$/.exec(line);
      if (!m || m[1] === 'lo') continue;
      const f = m[2]!.trim().split(/\s+/).map(Number);
      // rx bytes, rx packets, ..., tx bytes (field 8), tx packets (field 9)
      bytes += f[0]! + f[8]!;
      packets += f[1]! + f[9]!;
    }
    return { bytes, packets };
  }

  /** Established TCP connections in host i's namespace. */
  async connections(i: number): Promise<number> {
    const { stdout } = await run('ip', ['netns', 'exec', this.ns(i), 'ss', '-Htn', 'state', 'established']);
    return stdout.split('\n').filter((l) => l.trim()).length;
  }

  private async probeNetem(): Promise<'netem' | 'tbf'> {
    if (this.hosts < 2) return 'tbf';
    try {
      await this.inNs(0, 'tc', 'qdisc', 'replace', 'dev', this.dev(1), 'root', 'netem', 'delay', '1ms');
      await this.inNs(0, 'tc', 'qdisc', 'del', 'dev', this.dev(1), 'root');
      return 'netem';
    } catch {
      return 'tbf';
    }
  }

  /** Link up, route to the peer over it, no qdisc: on both ends. */
  async heal(a: number, b: number): Promise<void> {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      await this.inNs(x, 'ip', 'link', 'set', this.dev(y), 'up');
      await this.inNs(x, 'tc', 'qdisc', 'del', 'dev', this.dev(y), 'root').catch(() => undefined);
    }
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      await this.inNs(x, 'ip', 'route', 'replace', `${this.addr(y)}/32`, 'dev', this.dev(y), 'src', this.addr(x));
    }
  }

  async cut(a: number, b: number): Promise<void> {
    await this.inNs(a, 'ip', 'link', 'set', this.dev(b), 'down');
  }

  async cutOneWay(from: number, to: number): Promise<void> {
    await this.inNs(from, 'ip', 'route', 'replace', 'blackhole', `${this.addr(to)}/32`);
  }

  async degrade(a: number, b: number): Promise<void> {
    const qdisc = this.degradeKind === 'netem' ? ['netem', 'delay', '80ms', '40ms', 'loss', '5%'] : ['tbf', 'rate', '64kbit', 'burst', '4kb', 'latency', '100ms'];
    await this.inNs(a, 'tc', 'qdisc', 'replace', 'dev', this.dev(b), 'root', ...qdisc);
    await this.inNs(b, 'tc', 'qdisc', 'replace', 'dev', this.dev(a), 'root', ...qdisc);
  }

  async teardown(): Promise<void> {
    // Deleting a namespace deletes its veth ends, and with them the other ends.
    for (const ns of this.created) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    this.created = [];
  }
}
