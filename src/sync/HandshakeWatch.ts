import type { ConnectionProtector, CreateListenerOptions, MessageStream, MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface';

/**
 * What every libp2p dialer sends first inside the private network: multistream-select's header
 * (length 19, then `/multistream/1.0.0\n`). Decrypted with the mesh key, a dialer holding the same
 * key shows exactly these bytes; one holding another key shows noise.
 */
const MULTISTREAM_HEADER = new Uint8Array([0x13, ...new TextEncoder().encode('/multistream/1.0.0\n')]);

/**
 * Sees inbound connections whose dialer holds a wrong mesh key. Such a dialer gets through the pnet
 * nonce exchange (it is unauthenticated), then everything it sends decrypts to noise and the
 * upgrader gives up in protocol negotiation — before any peer id is known, so the connection gater
 * never hears of it and libp2p only writes a debug line. The protector is wrapped so the first
 * bytes the pnet stream decrypts are compared with the multistream header as they pass (they are
 * not consumed or changed): noise there is a wrong key (or not a libp2p dialer at all), a verdict
 * that does not depend on timing. (A first version counted any inbound connection closing before
 * the gater; at 30 hosts under load members' slow or given-up handshakes made most of its count.)
 * Connections that close before the gater with no verdict (nothing sent, a member's handshake given
 * up) are `onAborted`. Connections libp2p refuses before the protector ever sees them (more than
 * `maxIncomingPendingConnections` handshakes in progress, more than 5 a second from one address)
 * are `onRefusedEarly`: libp2p closes those without a word, so ten idle sockets held open would
 * otherwise hide every intruder from the log (found at 30 hosts, where members' slow handshakes
 * kept the ten slots full and whole intruders went unseen).
 */
export class HandshakeWatch {
  private readonly pending = new Set<MessageStream>();
  /** Inbound connections that reached the protector (the rest were refused before it). */
  private readonly reached = new WeakSet<object>();

  constructor(
    private readonly verdict: {
      onFailed: (remoteHost: string) => void;
      onAborted: (remoteHost: string) => void;
      onRefusedEarly: (remoteHost: string) => void;
    },
  ) {}

  /** Wraps a transport factory (`tcp()`) so an inbound connection refused before the protector is reported. */
  transport<C>(inner: (components: C) => Transport): (components: C) => Transport {
    return (components) => {
      const transport = inner(components);
      const createListener = transport.createListener.bind(transport);
      transport.createListener = (options: CreateListenerOptions) => createListener({ ...options, upgrader: this.watchUpgrades(options.upgrader) });
      return transport;
    };
  }

  private watchUpgrades(upgrader: Upgrader): Upgrader {
    const upgradeInbound = upgrader.upgradeInbound.bind(upgrader);
    const watched = Object.create(upgrader) as Upgrader;
    watched.upgradeInbound = async (maConn: MultiaddrConnection, opts: Parameters<Upgrader['upgradeInbound']>[1]) => {
      try {
        await upgradeInbound(maConn, opts);
      } catch (err) {
        if (!this.reached.has(maConn)) this.verdict.onRefusedEarly(remoteHost(maConn));
        throw err;
      }
    };
    return watched;
  }

  /** Wraps a connection protector factory (`preSharedKey(...)`) so every inbound connection is watched. */
  protector<C>(inner: (components: C) => ConnectionProtector): (components: C) => ConnectionProtector {
    return (components) => {
      const protector = inner(components);
      return {
        protect: async (connection, options) => {
          if (connection.direction !== 'inbound') return protector.protect(connection, options);
          this.reached.add(connection);
          const host = remoteHost(connection);
          // A wrong key is reported at once; a right one is left pending, so a handshake given up later still counts as aborted.
          const judge = (wrongKey: boolean) => {
            if (wrongKey && this.pending.delete(connection)) this.verdict.onFailed(host);
          };
          this.pending.add(connection);
          connection.addEventListener('close', () => (this.pending.delete(connection) ? this.verdict.onAborted(host) : undefined), { once: true });
          const boxed = await protector.protect(connection, options);
          watchFirstBytes(boxed, (matches) => judge(!matches));
          return boxed;
        },
      };
    };
  }

  /** The handshake completed (the gater is now asking about the peer): nothing to report. */
  passed(maConn: MultiaddrConnection): void {
    this.pending.delete(maConn);
  }
}

/**
 * Calls `verdict` once the decrypted bytes either match the whole multistream header or differ
 * from it. Bytes decrypted before the stream reached us wait in its read buffer (no reader is
 * attached yet: the upgrader attaches one after the protector returns); later ones are seen by
 * wrapping the pnet stream's own `onData` (where it hands each decrypted chunk on) on this one
 * instance: every chunk goes on unchanged.
 */
function watchFirstBytes(stream: MessageStream, verdict: (matches: boolean) => void): void {
  // A chunk is a Uint8Array or a Uint8ArrayList (which `subarray()` joins).
  type Chunk = Uint8Array | { subarray(): Uint8Array; byteLength: number };
  const target = stream as MessageStream & { onData?: (data: Chunk) => void; readBuffer?: Chunk };
  const onData = target.onData;
  if (typeof onData !== 'function') return;
  let seen = 0;
  let done = false;
  const look = (data: Chunk) => {
    if (done) return;
    const bytes = data instanceof Uint8Array ? data : data.subarray();
    for (let i = 0; i < bytes.length && seen < MULTISTREAM_HEADER.length; i++, seen++) {
      if (bytes[i] !== MULTISTREAM_HEADER[seen]) {
        done = true;
        verdict(false);
        return;
      }
    }
    if (seen === MULTISTREAM_HEADER.length) {
      done = true;
      verdict(true);
    }
  };
  if (target.readBuffer && target.readBuffer.byteLength > 0) look(target.readBuffer);
  target.onData = (data) => {
    look(data);
    onData.call(target, data);
  };
}

/** The remote IP (not the port: a redialing intruder comes from a new port each time). */
function remoteHost(connection: MessageStream): string {
  const addr = (connection as Partial<MultiaddrConnection>).remoteAddr;
  return addr?.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value ?? 'unknown';
}
