/**
 * A byte-counting TCP relay for benchmarks: listens on 127.0.0.1:`listenPort` and forwards every
 * connection to 127.0.0.1:`targetPort`, counting the TCP payload bytes in each direction (what
 * the kernel's `bytes_acked`/`bytes_received` would count: Noise, Yamux and libp2p framing
 * included; IP/TCP headers not).
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface CountingProxy {
  /** Bytes from the dialling side to the target, and back. */
  bytes(): { toTarget: number; fromTarget: number; connections: number };
  close(): Promise<void>;
}

export function countingProxy(listenPort: number, targetPort: number): Promise<CountingProxy> {
  let toTarget = 0;
  let fromTarget = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
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
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () =>
      resolve({
        bytes: () => ({ toTarget, fromTarget, connections }),
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}
