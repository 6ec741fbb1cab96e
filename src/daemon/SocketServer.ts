import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { MeshError, toMeshError } from '../errors.js';
import { encodeFrame, FrameDecoder } from '../ipc/framing.js';
import { RequestSchema, type Request, type Response } from '../ipc/messages.js';
import type { Logger } from '../log.js';

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
  private idle: (() => void) | undefined;

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
    this.sockets.add(socket);
    const decoder = new FrameDecoder();
    socket.on('close', () => {
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
      let frames: unknown[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'bad frame on the local socket; closing that connection');
        socket.destroy();
        return;
      }
      for (const frame of frames) void this.dispatch(socket, frame);
    });
  }

  private async dispatch(socket: Socket, frame: unknown): Promise<void> {
    const parsed = RequestSchema.safeParse(frame);
    if (!parsed.success) {
      this.logger.warn('malformed request on the local socket; closing that connection');
      socket.destroy();
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
    if (!socket.destroyed) {
      try {
        socket.write(encodeFrame(res));
      } catch (err) {
        socket.write(encodeFrame({ id: req.id, ok: false, error: new MeshError('INTERNAL', (err as Error).message).toJSON() }));
      }
    }
  }
}
