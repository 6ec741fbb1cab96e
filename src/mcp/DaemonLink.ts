import { randomUUID } from 'node:crypto';
import { DAEMON_RECONNECT_INTERVAL_MS } from '../constants.js';
import type { DaemonClient } from '../ipc/DaemonClient.js';
import { ensureDaemon } from '../ipc/ensureDaemon.js';
import type { CallContext } from '../ipc/messages.js';
import type { CallOptions, DaemonCaller, MethodName, ParamsOf, ResultOf } from '../daemon/methodMap.js';
import { withSessionProject } from './sessionProject.js';

/**
 * The MCP server's line to the daemon. Reconnects (starting the daemon if needed) when the
 * connection is gone, so a daemon restart or crash costs one slower call, not a dead session.
 * Once the session registered an agent, a lost connection is re-made in the background (without
 * starting a daemon) so the agent's heartbeat resumes even while the session makes no calls.
 */
export class DaemonLink implements DaemonCaller {
  private client: DaemonClient | undefined;
  private connecting: Promise<DaemonClient> | undefined;
  private agentId: string | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly session = randomUUID();
  /** The session's project (switch_project_context): later writes without a project get it. */
  project: string | undefined;

  constructor(
    readonly home: string,
    private readonly agent: () => string,
  ) {}

  async call<N extends MethodName>(method: N, params: ParamsOf<N>, opts: CallOptions = {}): Promise<ResultOf<N>> {
    const client = await this.connection();
    return client.call(method, withSessionProject(method, params, this.project) as ParamsOf<N>, { ...opts, ctx: this.ctx() });
  }

  /** From now on calls are made as this registered agent (writes record it; the daemon keeps it alive). */
  bindAgent(id: string): void {
    this.agentId = id;
  }

  get boundAgent(): string | undefined {
    return this.agentId;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.client?.close();
  }

  private ctx(): CallContext {
    return { agent: this.agentId ?? this.agent(), session: this.session, ...(this.agentId ? { agent_id: this.agentId } : {}) };
  }

  private async connection(): Promise<DaemonClient> {
    if (this.client && !this.client.isClosed) return this.client;
    this.connecting ??= ensureDaemon(this.home, this.ctx())
      .then((client) => this.adopt(client))
      .finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private adopt(client: DaemonClient): DaemonClient {
    // A call and the background reconnect may both have connected: keep the first, drop the other.
    if (this.client && this.client !== client && !this.client.isClosed) {
      client.close();
      return this.client;
    }
    this.client = client;
    client.onClose(() => this.scheduleReconnect());
    return client;
  }

  private scheduleReconnect(): void {
    if (this.closed || !this.agentId || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed || (this.client && !this.client.isClosed)) return;
      ensureDaemon(this.home, this.ctx(), { autostart: false })
        .then((client) => {
          this.adopt(client);
          // Any call carrying agent_id re-binds the session on the daemon.
          return client.call('agent.resume', {}, { ctx: this.ctx() });
        })
        .catch(() => this.scheduleReconnect());
    }, DAEMON_RECONNECT_INTERVAL_MS);
    this.reconnectTimer.unref();
  }
}
