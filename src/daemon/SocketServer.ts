import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { IPC_PARTIAL_FRAME_TIMEOUT_MS, MAX_IPC_BUFFERED_BYTES, MAX_IPC_CONNECTIONS, MAX_IPC_WRITE_BACKLOG_BYTES } from '../constants.js';
import { toMeshError, type MeshErrorCode } from '../errors.js';
import { encodeFrame, FrameDecoder } from '../ipc/framing.js';
import { CONNECTION_ERROR_ID, RequestSchema, type Request, type Response } from '../ipc/messages.js';
import type { Logger } from '../log.js';

/** Refusals repeated by a flood are logged at most this often. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;
/** How long a refused connection may take to read its reason before it is cut. */
const CLOSE_REASON_GRACE_MS = 1_000;
/** What a refused connection may still send (a request or two) before it is cut without waiting. */
const CLOSE_DRAIN_LIMIT_BYTES = 64 * 1024;

export type RequestHandler = (req: Request) => Promise<unknown>;

export interface SocketServerHooks {
  /** The last connection that carried this session id closed (its MCP server exited, or lost the daemon). */
  onSessionClosed?: (session: string) => void;
}

/**
 * The daemon's local API: a Unix socket (mode 0600, inside the 0700 home) speaking
 * length-prefixed JSON. A malformed frame closes that connection and is logged; the daemon goes on.
 */
export class SocketServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Session ids seen on each connection, so the end of a session can be told apart from a reconnect. */
  private readonly sessions = new Map<Socket, Set<string>>();
  private inflight = 0;
  /** Bytes held across all connections for frames not yet complete. */
  private buffered = 0;
  private refused = 0;
  /** Connections being closed with a reason: what they still send is ignored. */
  private readonly closing = new WeakSet<Socket>();
  private lastRefusalLog = 0;
  private idle: (() => void) | undefined;
  private answered!: () => void;
  /** Resolves once a first reply has been written (the daemon defers its start-up background work until then). */
  readonly firstAnswer = new Promise<void>((resolve) => (this.answered = resolve));

  constructor(
    private readonly path: string,
    private readonly handler: RequestHandler,
    private readonly logger: Logger,
    private readonly hooks: SocketServerHooks = {},
  ) {}

  async start(): Promise<void> {
    // The caller holds the store lock, so any socket file left here belongs to a dead daemon.
    await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    const server = createServer((socket) => this.onConnection(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(this.path, 0o600);
  }

  /** Stops accepting, lets in-flight requests finish, then closes every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    for (const socket of this.sockets) socket.end();
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await unlink(this.path).catch(() => undefined);
  }

  get connections(): number {
    return this.sockets.size;
  }

  private onConnection(socket: Socket): void {
    // A cap on connections, and on bytes held for unfinished frames, keeps a flood of local
    // clients (each sending most of a maximal frame, then hanging) from growing the daemon unbounded.
    if (this.sockets.size >= MAX_IPC_CONNECTIONS) {
      this.refuse('connection cap reached; refusing a local connection', { cap: MAX_IPC_CONNECTIONS });
      this.closeWith(socket, 'TOO_MANY_CONNECTIONS', `the daemon is serving its maximum of ${MAX_IPC_CONNECTIONS} local connections; close idle MCP servers or clients, then retry`);
      return;
    }
    this.sockets.add(socket);
    const decoder = new FrameDecoder();
    let held = 0;
    let partialTimer: NodeJS.Timeout | undefined;
    const release = () => {
      this.buffered -= held;
      held = 0;
      clearTimeout(partialTimer);
      partialTimer = undefined;
    };
    socket.on('close', () => {
      // Only here: a connection being closed with a reason still holds its unfinished frame.
      release();
      this.sockets.delete(socket);
      const ended = this.sessions.get(socket);
      this.sessions.delete(socket);
      for (const session of ended ?? []) {
        const stillOpen = [...this.sessions.values()].some((s) => s.has(session));
        if (!stillOpen) this.hooks.onSessionClosed?.(session);
      }
    });
    socket.on('error', (err) => this.logger.debug({ err: err.message }, 'client socket error'));
    socket.on('data', (chunk: Buffer) => {
      if (this.closing.has(socket)) return;
      if (this.buffered + chunk.length > MAX_IPC_BUFFERED_BYTES) {
        this.refuse('local clients hold too many bytes of unfinished frames; closing the connection that pushed past the cap', { cap: MAX_IPC_BUFFERED_BYTES });
        // Cut at once (a flood must not be read on): the reason goes out first, best effort.
        socket.end(encodeFrame(connectionError('PROTOCOL_ERROR', 'local clients hold too many bytes of unfinished requests; this connection was closed')), () => socket.destroy());
        this.closing.add(socket);
        return;
      }
      let frames: unknown[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'bad frame on the local socket; closing that connection');
        this.closeWith(socket, 'PROTOCOL_ERROR', `bad frame: ${(err as Error).message}`);
        return;
      }
      this.buffered += decoder.buffered - held;
      held = decoder.buffered;
      if (held === 0) {
        clearTimeout(partialTimer);
        partialTimer = undefined;
      } else if (!partialTimer) {
        // Measured from the frame's first bytes: trickling more data does not keep it alive.
        partialTimer = setTimeout(() => {
          this.logger.warn({ bytes: held }, 'a frame on the local socket stayed incomplete; closing that connection');
          this.closeWith(socket, 'TIMEOUT', `a request stayed incomplete for ${IPC_PARTIAL_FRAME_TIMEOUT_MS} ms; this connection was closed`);
        }, IPC_PARTIAL_FRAME_TIMEOUT_MS);
        partialTimer.unref();
      }
      for (const frame of frames) void this.dispatch(socket, frame);
    });
  }

  /**
   * Closes a connection the daemon will not serve, saying why first: a bare close reads as "the
   * daemon is not running" to the client, and the CLI would then try to start a second daemon.
   * Cut after a second if the client does not close it, so a refused client holds nothing here.
   */
  private closeWith(socket: Socket, code: MeshErrorCode, message: string): void {
    if (this.closing.has(socket)) return;
    this.closing.add(socket);
    const refusal = connectionError(code, message);
    socket.on('error', () => undefined);
    // Unread input at close makes the kernel reset the connection, and the client may lose the
    // reason with it: drop what it sends (a request or two), and let its own close, after it has
    // read the reason, end it. A client that keeps sending (a flood) is cut at once.
    let drained = 0;
    socket.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > CLOSE_DRAIN_LIMIT_BYTES) socket.destroy();
    });
    setTimeout(() => socket.destroy(), CLOSE_REASON_GRACE_MS).unref();
    socket.end(encodeFrame(refusal));
  }

  /** One warning per interval for refusals that a flood repeats, with the count since the last one. */
  private refuse(message: string, fields: Record<string, unknown>): void {
    this.refused++;
    const now = Date.now();
    if (now - this.lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) return;
    this.lastRefusalLog = now;
    this.logger.warn({ ...fields, refused: this.refused }, message);
    this.refused = 0;
  }

  private async dispatch(socket: Socket, frame: unknown): Promise<void> {
    const parsed = RequestSchema.safeParse(frame);
    if (!parsed.success) {
      this.logger.warn('malformed request on the local socket; closing that connection');
      this.closeWith(socket, 'PROTOCOL_ERROR', 'malformed request: expected {id, method, params, ctx}');
      return;
    }
    const req = parsed.data;
    if (req.ctx.session) {
      let seen = this.sessions.get(socket);
      if (!seen) this.sessions.set(socket, (seen = new Set()));
      seen.add(req.ctx.session);
    }
    this.inflight++;
    let res: Response;
    try {
      res = { id: req.id, ok: true, result: await this.handler(req) };
    } catch (err) {
      const error = toMeshError(err);
      if (error.code === 'INTERNAL') this.logger.error({ err, method: req.method }, 'request failed');
      res = { id: req.id, ok: false, error: error.toJSON() };
    } finally {
      this.inflight--;
      if (this.inflight === 0) this.idle?.();
    }
    if (!socket.destroyed && !this.closing.has(socket)) {
      try {
        socket.write(encodeFrame(res));
      } catch (err) {
        socket.write(encodeFrame({ id: req.id, ok: false, error: toMeshError(err).toJSON() }));
      }
      // A client that sends requests but never reads the replies would grow our write queue.
      if (socket.writableLength > MAX_IPC_WRITE_BACKLOG_BYTES) {
        this.logger.warn({ bytes: socket.writableLength }, 'a local client is not reading its replies; closing that connection');
        socket.destroy();
      }
    }
    this.answered();
  }
}

/** A reply that answers no request: why the daemon closes this connection. */
function connectionError(code: MeshErrorCode, message: string): Response {
  return { id: CONNECTION_ERROR_ID, ok: false, error: { code, message } };
}
