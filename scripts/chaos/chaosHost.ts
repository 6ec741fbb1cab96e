import { spawn, type ChildProcess } from 'node:child_process';
import type { MethodName, ParamsOf, ResultOf } from '../../src/daemon/methodMap.js';
import { readFileSync } from 'node:fs';
import { homePaths } from '../../src/home.js';
import { DaemonClient } from '../../src/ipc/DaemonClient.js';
import { MESH_BIN, mesh, TEST_ENV } from '../../test/helpers/cli.js';
import { tmpHome } from '../../test/helpers/tmpHome.js';
import type { ChaosNetwork } from './network.js';

/** Lines of a host's log kept for a failure report (the whole log of a long run is large). */
const LOG_TAIL_CHARS = 200_000;

/**
 * One chaos host: a real `mesh daemon` in its own home, started through the network's prefix
 * (its namespace) and optionally under faketime. Signals go to the daemon's own pid (from its
 * pid file): faketime forks, so the spawned pid is not always the daemon's.
 */
export class ChaosHost {
  readonly home = tmpHome('mh-chaos-');
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  log = '';
  /** Exits nobody asked for (a crash), with the log line count at the time. */
  readonly crashes: string[] = [];
  private stopping = false;
  /** The faketime offset the daemon runs under now (undefined: true time). */
  skew: string | undefined;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly port: number,
    private readonly net: ChaosNetwork,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get addr(): string {
    return this.net.listenAddress(this.index, this.port);
  }

  async init(): Promise<void> {
    const r = await mesh(['init', '--name', this.name, '--home', this.home.dir]);
    if (r.code !== 0) throw new Error(`${this.name}: mesh init failed: ${r.stderr}`);
  }

  async cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return mesh([...args, '--home', this.home.dir]);
  }

  async start(): Promise<void> {
    const daemonArgs = [MESH_BIN, 'daemon', '--home', this.home.dir, '--listen', this.addr, '--announce', this.addr, '--no-discovery'];
    const shifted = this.skew === undefined ? [] : ['faketime', '-f', this.skew];
    const cmd = [...this.net.spawnPrefix(this.index), ...shifted, process.execPath, ...daemonArgs];
    const env = { ...process.env, ...TEST_ENV, MESH_LOG: 'info', ...(this.skew === undefined ? {} : { FAKETIME_DONT_FAKE_MONOTONIC: '1' }) };
    const child = spawn(cmd[0]!, cmd.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.crashes.push(`${this.name} exited by itself (${signal ?? code}): ${this.log.slice(-1500)}`);
      if (this.child === child) this.child = undefined;
    });
    // Only this start's output counts as ready (the log keeps earlier runs' lines).
    let fresh: string | undefined = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (d: Buffer) => {
        const text = d.toString();
        this.log += text;
        if (this.log.length > LOG_TAIL_CHARS * 2) this.log = this.log.slice(-LOG_TAIL_CHARS);
        if (fresh !== undefined) {
          fresh += text;
          if (fresh.includes('daemon ready')) {
            fresh = undefined;
            resolve();
          }
        }
      });
      child.once('exit', (code) => reject(new Error(`${this.name} exited ${code}: ${this.log.slice(-2000)}`)));
    });
  }

  /** SIGTERM (a clean stop) or SIGKILL (acknowledged writes must survive it). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    if (!this.child) return;
    this.stopping = true;
    try {
      process.kill(this.daemonPid(), signal);
    } catch {
      this.child.kill(signal);
    }
    await this.exited;
    this.child = undefined;
    this.stopping = false;
  }

  daemonPid(): number {
    return Number(readFileSync(homePaths(this.home.dir).pidFile, 'utf8').trim());
  }

  async call<N extends MethodName>(method: N, params: ParamsOf<N>, ctx: { agent?: string; session?: string } = {}): Promise<ResultOf<N>> {
    const client = await DaemonClient.connect(homePaths(this.home.dir).socket, { agent: ctx.agent ?? `chaos-${this.name}`, ...(ctx.session ? { session: ctx.session } : {}) });
    try {
      return await client.call(method, params);
    } finally {
      client.close();
    }
  }

  async peerId(): Promise<string> {
    const { replication } = await this.call('daemon.status', {});
    if ('error' in replication) throw new Error(`${this.name}: replication is not running: ${replication.error}`);
    return replication.peer_id;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL').catch(() => undefined);
    this.home.cleanup();
  }
}
