import { createServer } from 'node:net';
import { z } from 'zod';
import { MeshError } from '../errors.js';
import { readJsonFile, writeJsonFileAtomic } from '../jsonFile.js';

/** In the home: the port a home chose because the default was taken (a second home on one machine). */
export const LISTEN_PORT_FILE = 'listen-port.json';

/** A second home on one machine finds the default port taken; the port it chose instead, kept for its next starts. */
const RecordedPort = z.object({ port: z.number().int().min(1).max(65_535), chosen_at: z.string(), reason: z.string() });

/** The port a listener on `host` got: the one asked for, or the system's choice for 0; undefined when it is taken. */
function tryListen(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(got));
    });
  });
}

/** `/ip4/127.0.0.1/tcp/7411` → host and port; undefined for addresses that are not plain TCP. */
function tcpParts(addr: string): { host: string; port: number } | undefined {
  const m = /^\/(ip4|ip6)\/([^/]+)\/tcp\/(\d+)(\/|$)/.exec(addr);
  return m ? { host: m[2]!, port: Number(m[3]) } : undefined;
}

/** The one-line reason a daemon cannot listen, with the two ways to choose another address. */
export class PortInUseError extends MeshError {
  constructor(host: string, port: number) {
    super(
      'PORT_IN_USE',
      `port ${port} on ${host} is in use (another hivemesh home or another program); give this home a free port: mesh daemon --listen /ip4/${host}/tcp/<port> (or MESH_P2P_LISTEN, or "listen" in config.json)`,
      { host, port },
    );
  }
}

/**
 * Checks that every TCP listen address can be bound before libp2p tries: libp2p reports a taken
 * port as a multi-line aggregate message with a stack trace, this says it in one line with the fix.
 */
export async function assertListenable(addrs: readonly string[]): Promise<void> {
  for (const addr of addrs) {
    const tcp = tcpParts(addr);
    if (!tcp || tcp.port === 0) continue;
    if ((await tryListen(tcp.host, tcp.port)) === undefined) throw new PortInUseError(tcp.host, tcp.port);
  }
}

/**
 * The port for the default listen address of a home: the recorded one if this home chose one
 * before, else `preferred` when free, else a free port the system picks, recorded in `recordPath`
 * so the address other members know stays the same across restarts.
 */
export async function homeListenPort(host: string, preferred: number, recordPath: string, log: (msg: string, port: number) => void): Promise<number> {
  const recorded = await readJsonFile(recordPath, RecordedPort, 'delete it and restart the daemon: a free port is chosen again');
  const wanted = recorded?.port ?? preferred;
  if ((await tryListen(host, wanted)) !== undefined) return wanted;
  const chosen = await tryListen(host, 0);
  if (chosen === undefined) throw new PortInUseError(host, wanted);
  await writeJsonFileAtomic(recordPath, { port: chosen, chosen_at: new Date().toISOString(), reason: `port ${wanted} on ${host} was in use (another hivemesh home on this machine?)` });
  log(`port ${wanted} on ${host} is in use; this home listens on ${chosen} instead (recorded in ${recordPath})`, chosen);
  return chosen;
}
