import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs in a worker: `@cdktn/hcl2json` (HashiCorp's HCL parser, Go compiled to WebAssembly). Kept off
 * the daemon's thread because the package defines globals (`Go`, `fs`, `require`), rethrows a failed
 * WebAssembly start as an unhandled rejection (which would end the daemon's process), parses
 * synchronously, and leaves its Go runtime corrupted after a stack overflow: in a worker each of
 * these ends at most the worker, a hung parse is really stopped by `terminate()`, and a fresh worker
 * is a fresh parser.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const hcl = require(workerData.module);
parentPort.on('message', ({ id, filename, content }) => {
  Promise.resolve()
    .then(() => hcl.parse(filename, content))
    .then(
      (value) => parentPort.postMessage({ id, ok: true, value }),
      (err) => parentPort.postMessage({ id, ok: false, name: (err && err.name) || 'Error', message: String((err && err.message) || err) }),
    );
});
`;

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  name?: string;
  message?: string;
}

/** The parser's failure as the worker saw it (its name kept: a RangeError is a stack overflow). */
export class HclWorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** One worker holding one parser, started on first use; `stop()` ends it and the next parse starts a fresh one. */
export class HclWorker {
  private worker: Worker | undefined;
  private nextId = 0;
  /** Parses waiting for an answer, with the worker each was sent to (a stopped worker fails only its own). */
  private readonly pending = new Map<number, { worker: Worker; resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  /** `module`: the package to load (the installed `@cdktn/hcl2json` unless a test names another). */
  constructor(private readonly module: string = createRequire(import.meta.url).resolve('@cdktn/hcl2json')) {}

  /** The file as JSON; rejects with the parser's own error, or with a timeout after which the worker is stopped. */
  parse(filename: string, content: string, timeoutMs: number): Promise<unknown> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.stop();
        reject(new HclWorkerError('TimeoutError', `the Terraform parser did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        this.pending.delete(id);
        f(v);
      };
      this.pending.set(id, { worker, resolve: settle(resolve), reject: settle(reject) });
      worker.postMessage({ id, filename, content });
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: this.module } });
    worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.value);
      else p.reject(new HclWorkerError(m.name ?? 'Error', m.message ?? 'the Terraform parser failed'));
    });
    // The worker died (a failed WebAssembly start, a Go fatal error): every waiting parse fails, the next starts afresh.
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of [...this.pending.values()]) if (p.worker === worker) p.reject(new HclWorkerError('Error', `the Terraform parser stopped: ${err.message}`));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`its worker exited (code ${code})`)));
    // An idle parser never keeps the daemon's process alive (after the listeners: adding one refs the worker again).
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
