import { randomUUID } from 'node:crypto';
import type { DaemonClient } from '../ipc/DaemonClient.js';
import { ensureDaemon } from '../ipc/ensureDaemon.js';
import type { CallContext } from '../ipc/messages.js';

/**
 * The MCP server's line to the daemon. Reconnects (starting the daemon if needed) when the
 * connection is gone, so a daemon restart or crash costs one slower call, not a dead session.
 */
export class DaemonLink {
  private client: DaemonClient | undefined;
  private connecting: Promise<DaemonClient> | undefined;
  readonly session = randomUUID();

  constructor(
    private readonly home: string,
    private readonly agent: () => string,
  ) {}

  async call<T>(method: string, params: unknown): Promise<T> {
    const client = await this.connection();
    return client.call<T>(method, params, { ctx: this.ctx() });
  }

  close(): void {
    this.client?.close();
  }

  private ctx(): CallContext {
    return { agent: this.agent(), session: this.session };
  }

  private async connection(): Promise<DaemonClient> {
    if (this.client && !this.client.isClosed) return this.client;
    this.connecting ??= ensureDaemon(this.home, this.ctx()).finally(() => (this.connecting = undefined));
    this.client = await this.connecting;
    return this.client;
  }
}
