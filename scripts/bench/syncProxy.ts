/**
 * A byte-counting TCP relay for benchmarks: listens on 127.0.0.1:`listenPort` and forwards every
 * connection to 127.0.0.1:`targetPort`, counting the TCP payload bytes in each direction (what
 * the kernel's `bytes_acked`/`bytes_received` would count: Noise, Yamux and libp2p framing
 * included; IP/TCP headers not). `cut()` takes the link down (every relayed connection is
 * destroyed and the port refuses new ones, as for a host that dropped off the network) and
 * `restore()` brings it back on the same port.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface CountingProxy {
  /** Bytes from the dialling side to the target, and back. */
  bytes(): { toTarget: number; fromTarget: number; connections: number };
  /** Destroys every relayed connection and stops listening (dials are refused). */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function countingProxy(listenPort: number, targetPort: number): Promise<CountingProxy> {
  let toTarget = 0;
  let fromTarget = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const relay = (inbound: Socket) => {
    connections++;
    const outbound = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.on('data', (d: Buffer) => (toTarget += d.byteLength));
    outbound.on('data', (d: Buffer) => (fromTarget += d.byteLength));
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(relay);
      s.once('error', reject);
      s.listen(listenPort, '127.0.0.1', () => {
        server = s;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((done) => {
      for (const s of sockets) s.destroy();
      if (!server) return done();
      server.close(() => done());
      server = undefined;
    });
  await listen();
  return {
    bytes: () => ({ toTarget, fromTarget, connections }),
    cut: stop,
    restore: listen,
    close: stop,
  };
}
