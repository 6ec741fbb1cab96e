import { UI_DEFAULT_PORT, UI_PORT_TRIES } from '../constants.js';
import { MeshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { UiServer } from './UiServer.js';
import type { UiSource } from './UiSource.js';
import { UiTokens, type UiAccess } from './UiTokens.js';

export interface DashboardHostDeps {
  tokensPath: string;
  source: UiSource;
  host: string;
  logger: Logger;
}

export interface DashboardOpened {
  url: string;
  port: number;
  access: UiAccess;
}

/**
 * The daemon's dashboard, started by the first `mesh ui` and kept until the daemon stops. A
 * later `mesh ui --port N` with another port moves it; without --port it stays where it is.
 */
export class DashboardHost {
  private server: UiServer | undefined;
  private tokens: UiTokens | undefined;
  /** Two `mesh ui` at once must not start two servers: opens and the stop run one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: DashboardHostDeps) {}

  open(opts: { port?: number; write?: boolean }): Promise<DashboardOpened> {
    return this.inTurn(async () => {
      this.tokens ??= await UiTokens.load(this.deps.tokensPath);
      if (this.server && opts.port !== undefined && opts.port !== this.server.port) {
        await this.server.stop();
        this.server = undefined;
      }
      this.server ??= await this.start(this.tokens, opts.port);
      const access: UiAccess = opts.write ? 'write' : 'read';
      const port = this.server.port;
      return { url: `http://127.0.0.1:${port}/fleet?token=${this.tokens.token(access)}`, port, access };
    });
  }

  async stop(): Promise<void> {
    await this.inTurn(async () => {
      await this.server?.stop();
      this.server = undefined;
    });
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async start(tokens: UiTokens, port: number | undefined): Promise<UiServer> {
    // Loaded by the first `mesh ui`, not at daemon start: the HTTP server and hono are ~60 modules no search needs.
    const { UiServer } = await import('./UiServer.js');
    const candidates = port !== undefined ? [port] : Array.from({ length: UI_PORT_TRIES + 1 }, (_, i) => UI_DEFAULT_PORT + i);
    for (const p of candidates) {
      const server = new UiServer({ source: this.deps.source, tokens, host: this.deps.host, logger: this.deps.logger });
      try {
        await server.start(p);
        return server;
      } catch (err) {
        if (!(err instanceof MeshError && err.code === 'PORT_IN_USE') || p === candidates.at(-1)) throw err;
      }
    }
    throw new MeshError('PORT_IN_USE', 'no free port for the dashboard');
  }
}
