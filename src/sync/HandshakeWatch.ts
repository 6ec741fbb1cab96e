import type { ConnectionProtector, MessageStream, MultiaddrConnection } from '@libp2p/interface';

/**
 * Sees inbound connections that never complete their handshake. A dialer with a wrong mesh key
 * gets through the pnet nonce exchange (it is unauthenticated), then everything it sends decrypts
 * to noise and the upgrader gives up in protocol negotiation or Noise — before any peer id is
 * known, so the connection gater never hears of it and libp2p only writes a debug line. Waiting
 * for an upgrade error would miss the attempts where the dialer hangs up first (the noise read as
 * a length that never arrives), so the rule is: an inbound connection that reaches the protector
 * and closes before the gater's encrypted-connection check saw it failed the handshake.
 */
export class HandshakeWatch {
  private readonly pending = new Set<MessageStream>();

  constructor(private readonly onFailed: (remoteHost: string) => void) {}

  /** Wraps a connection protector factory (`preSharedKey(...)`) so every inbound connection is watched. */
  protector<C>(inner: (components: C) => ConnectionProtector): (components: C) => ConnectionProtector {
    return (components) => {
      const protector = inner(components);
      return {
        protect: (connection, options) => {
          if (connection.direction === 'inbound') this.watch(connection);
          return protector.protect(connection, options);
        },
      };
    };
  }

  /** The handshake completed (the gater is now asking about the peer): no longer a failed one. */
  passed(maConn: MultiaddrConnection): void {
    this.pending.delete(maConn);
  }

  private watch(connection: MessageStream): void {
    this.pending.add(connection);
    connection.addEventListener(
      'close',
      () => {
        if (this.pending.delete(connection)) this.onFailed(remoteHost(connection));
      },
      { once: true },
    );
  }
}

/** The remote IP (not the port: a redialing intruder comes from a new port each time). */
function remoteHost(connection: MessageStream): string {
  const addr = (connection as Partial<MultiaddrConnection>).remoteAddr;
  return addr?.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value ?? 'unknown';
}
