import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { MethodName, ParamsOf, ResultOf } from '../../src/daemon/methodMap.js';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { MESH_BIN, TEST_ENV, mesh, type CliResult } from './cli.js';
import { tmpHome } from './tmpHome.js';

/**
 * A free TCP port on loopback, so a host keeps its address across restarts. Chosen below the
 * kernel's ephemeral range (32768-60999 on Linux): a port taken from that range and released
 * (bind to 0, close) was reused within seconds as the source port of some daemon's outgoing dial,
 * and the test host then failed to listen (EADDRINUSE, seen in meshOfFive on 2026-12-06).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = TEST_PORT_LOW + Math.floor(Math.random() * (TEST_PORT_HIGH - TEST_PORT_LOW));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port found in ${TEST_PORT_LOW}-${TEST_PORT_HIGH}`);
}

const TEST_PORT_LOW = 20_000;
const TEST_PORT_HIGH = 32_000;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Polls `check` until it returns a truthy value or the deadline passes; replication is asynchronous. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
      last = undefined;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** One simulated host: its own home and a fixed loopback port, running `mesh daemon` in the foreground. */
export class TestHost {
  readonly home: { dir: string; cleanup: () => void };
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  /** Started under `faketime`: the spawned pid is faketime's, the daemon's is in its pid file. */
  private shifted = false;
  log = '';

  constructor(
    readonly name: string,
    public port: number,
    home?: { dir: string; cleanup: () => void },
  ) {
    this.home = home ?? tmpHome('mh-host-');
  }

  static async create(name: string): Promise<TestHost> {
    const host = new TestHost(name, await freePort());
    const r = await host.cli(['init', '--name', name]);
    if (r.code !== 0) throw new Error(r.stderr);
    return host;
  }

  get addr(): string {
    return `/ip4/127.0.0.1/tcp/${this.port}`;
  }

  /**
   * Starts the daemon. Discovery is off unless asked for (then `env` can put a stand-in
   * `tailscale` first on PATH).
   */
  async start(extra: string[] = [], opts: { discovery?: boolean; env?: Record<string, string>; faketime?: string } = {}): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...TEST_ENV, MESH_LOG: process.env['TEST_HOST_LOG'] ?? 'info', ...opts.env };
    if (opts.discovery) delete env['MESH_NO_DISCOVERY'];
    const args = [MESH_BIN, 'daemon', '--home', this.home.dir, '--listen', this.addr, ...(opts.discovery ? [] : ['--no-discovery']), ...extra];
    // A shifted wall clock (faketime '+40 days'); timers and performance.now() keep real time.
    this.shifted = opts.faketime !== undefined;
    const child = opts.faketime !== undefined ? spawn('faketime', [opts.faketime, process.execPath, ...args], { env: { ...env, FAKETIME_DONT_FAKE_MONOTONIC: '1' } }) : spawn(process.execPath, args, { env });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // Only this run's output counts: the log keeps earlier runs for diagnosis.
    const from = this.log.length;
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        this.log += d.toString();
        if (this.log.slice(from).includes('daemon ready')) resolve();
      };
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${this.name} exited ${code}: ${this.log.slice(-2000)}`)));
    });
  }

  async stop(): Promise<void> {
    if (!this.child) return;
    this.signal('SIGTERM');
    await this.exited;
    this.child = undefined;
  }

  async kill(): Promise<void> {
    if (!this.child) return;
    this.signal('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** faketime does not pass signals on: a shifted daemon is signalled by its own pid (faketime exits with it). */
  private signal(sig: NodeJS.Signals): void {
    if (!this.shifted) {
      this.child?.kill(sig);
      return;
    }
    const pid = Number(readFileSync(homePaths(this.home.dir).pidFile, 'utf8').trim());
    process.kill(pid, sig);
  }

  cli(args: string[]): Promise<CliResult> {
    return mesh([...args, '--home', this.home.dir]);
  }

  async json<T>(args: string[]): Promise<T> {
    const r = await this.cli([...args, '--json']);
    if (r.code !== 0) throw new Error(`${this.name}: mesh ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  async store(text: string, extra: string[] = []): Promise<string> {
    return (await this.json<{ id: string }>(['store', text, ...extra])).id;
  }

  async search(query: string): Promise<{ id: string; content: string }[]> {
    return (await this.json<{ results: { id: string; content: string }[] }>(['search', query, '--mode', 'keyword', '--limit', '50'])).results;
  }

  async peerId(): Promise<string> {
    return (await this.json<{ replication: { peer_id: string } }>(['status'])).replication.peer_id;
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.home.cleanup();
  }
}

/** Makes `joiner` a member of `inviter`'s mesh: invite, join, start, wait until both list each other. */
export async function joinMesh(inviter: TestHost, joiner: TestHost): Promise<void> {
  const { token } = await inviter.json<{ token: string }>(['invite']);
  const j = await joiner.cli(['join', token]);
  if (j.code !== 0) throw new Error(j.stderr);
  await joiner.start();
  const joinerId = await joiner.peerId();
  try {
    await eventually(async () => (await inviter.json<{ peers: { peer: string; connected: boolean }[] }>(['peers'])).peers.some((p) => p.peer === joinerId && p.connected), `${joiner.name} to join ${inviter.name}`, 60_000);
  } catch (err) {
    const tail = (h: TestHost) => h.log.split('\n').filter((l) => !l.includes('"level":30,') || /join|member|refused/.test(l)).slice(-15).join('\n');
    throw new Error(`${(err as Error).message}\n--- ${inviter.name}:\n${tail(inviter)}\n--- ${joiner.name}:\n${tail(joiner)}`);
  }
}

/** One call to a host's daemon over its socket, on a fresh connection (closed after). */
export async function callDaemon<N extends MethodName>(host: TestHost, method: N, params: ParamsOf<N>, ctx: { agent?: string; session?: string } = {}): Promise<ResultOf<N>> {
  const client = await DaemonClient.connect(homePaths(host.home.dir).socket, { agent: ctx.agent ?? `prop-${host.name}`, ...(ctx.session ? { session: ctx.session } : {}) });
  try {
    return await client.call(method, params);
  } finally {
    client.close();
  }
}

/** One call of any method name with any params, unchecked: for tests that send what a well-typed caller cannot. */
export async function callDaemonUnchecked(host: TestHost, method: string, params: unknown, ctx: { agent?: string; session?: string } = {}): Promise<unknown> {
  const client = await DaemonClient.connect(homePaths(host.home.dir).socket, { agent: ctx.agent ?? `prop-${host.name}`, ...(ctx.session ? { session: ctx.session } : {}) });
  try {
    return await client.callUnchecked(method, params);
  } finally {
    client.close();
  }
}

/**
 * Makes `host` an admin, signed by `admin`, and waits until `host` itself counts it: only admins
 * invite (the inviter signs the newcomer's admission).
 */
export async function grantAdmin(admin: TestHost, host: TestHost): Promise<void> {
  const id = await host.peerId();
  const r = await admin.cli(['peers', 'admin', id]);
  if (r.code !== 0) throw new Error(`${admin.name}: mesh peers admin failed: ${r.stderr}`);
  await eventually(async () => (await host.json<{ peers: { peer: string; admin: boolean }[] }>(['peers'])).peers.some((p) => p.peer === id && p.admin), `${host.name} to count itself an admin`, 60_000);
}
