import { connect, type Socket } from 'node:net';
import { IPC_REQUEST_TIMEOUT_MS } from '../constants.js';
import { MeshError, toMeshError } from '../errors.js';
import { encodeFrame, FrameDecoder } from './framing.js';
import { CONNECTION_ERROR_ID, type CallContext, type Response } from './messages.js';
import type { CallOptions, DaemonCaller, MethodName, ParamsOf, ResultOf } from '../daemon/methodMap.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

/** A connection to the daemon's local socket; calls are multiplexed by request id. */
export class DaemonClient implements DaemonCaller {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private readonly closeListeners = new Set<() => void>();
  /** Why the daemon refused this connection, if it said so before closing it. */
  private refusal: MeshError | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly ctx: CallContext,
  ) {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      let frames: unknown[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.failAll(toMeshError(err));
        socket.destroy();
        return;
      }
      for (const frame of frames) this.onResponse(frame as Response);
    });
    socket.on('close', () => {
      this.closed = true;
      this.failAll(this.refusal ?? new MeshError('DAEMON_NOT_RUNNING', 'the daemon closed the connection'));
      for (const listener of this.closeListeners) listener();
      this.closeListeners.clear();
    });
    socket.on('error', () => undefined);
  }

  static connect(socketPath: string, ctx: CallContext, opts: { signal?: AbortSignal } = {}): Promise<DaemonClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(socketPath);
      const onAbort = () => {
        socket.destroy();
        reject(new MeshError('TIMEOUT', 'connecting to the daemon was aborted'));
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        opts.signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        resolve(new DaemonClient(socket, ctx));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        opts.signal?.removeEventListener('abort', onAbort);
        reject(new MeshError('DAEMON_NOT_RUNNING', `no daemon is listening on ${socketPath} (${err.code ?? err.message})`));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Calls a method of the daemon's map (methodMap.ts): params and result are those of that method. */
  call<N extends MethodName>(method: N, params: ParamsOf<N>, opts: CallOptions & { ctx?: CallContext } = {}): Promise<ResultOf<N>> {
    return this.send(method, params, opts) as Promise<ResultOf<N>>;
  }

  /**
   * Sends any method name with any params, unchecked: for callers that test the daemon's own
   * checks (unknown methods, hostile params). Everything else uses `call`.
   */
  callUnchecked(method: string, params: unknown, opts: CallOptions & { ctx?: CallContext } = {}): Promise<unknown> {
    return this.send(method, params, opts);
  }

  private send(method: string, params: unknown, opts: CallOptions & { ctx?: CallContext }): Promise<unknown> {
    if (this.closed) return Promise.reject(this.refusal ?? new MeshError('DAEMON_NOT_RUNNING', 'the connection to the daemon is closed'));
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? IPC_REQUEST_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new MeshError('TIMEOUT', `the daemon did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(encodeFrame({ id, method, params, ctx: opts.ctx ?? this.ctx }));
    });
  }

  /** Called once when the connection ends, whoever ended it. */
  onClose(listener: () => void): void {
    if (this.socket.destroyed) listener();
    else this.closeListeners.add(listener);
  }

  close(): void {
    this.closed = true;
    this.socket.end();
    this.socket.destroy();
  }

  private onResponse(res: Response): void {
    if (res.id === CONNECTION_ERROR_ID && !res.ok) {
      this.refusal = toMeshError(res.error);
      return;
    }
    const pending = this.pending.get(res.id);
    if (!pending) return;
    this.pending.delete(res.id);
    clearTimeout(pending.timer);
    if (res.ok) pending.resolve(res.result);
    else pending.reject(toMeshError(res.error));
  }

  private failAll(err: MeshError): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(err);
      this.pending.delete(id);
    }
  }
}
