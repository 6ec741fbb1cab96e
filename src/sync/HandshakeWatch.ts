import type { ConnectionProtector, MessageStream, MultiaddrConnection } from '@libp2p/interface';
import { HANDSHAKE_VERDICT_DELAY_MS, MAX_REMEMBERED_HANDSHAKE_ADDRESSES } from './constants.js';
import { REFUSED_LOG_INTERVAL_MS } from '../trust/constants.js';

/**
 * Sees inbound connections that never complete their handshake. A dialer with a wrong mesh key
 * gets through the pnet nonce exchange (it is unauthenticated), then everything it sends decrypts
 * to noise and the upgrader gives up in protocol negotiation or Noise — before any peer id is
 * known, so the connection gater never hears of it and libp2p only writes a debug line. Waiting
 * for an upgrade error would miss the attempts where the dialer hangs up first (the noise read as
 * a length that never arrives), so the rule is: an inbound connection that reaches the protector
 * and closes before the gater's encrypted-connection check saw it failed the handshake.
 *
 * A member's own dial can also close mid-handshake (it stopped, or gave up a slow dial): an address
 * that completed a handshake within the refusal interval, or does so within a few seconds after,
 * is a member's (`onAborted`), not an intruder's (`onFailed`). The price: a wrong-key dialer
 * behind the same address as a member (one NAT) is counted as aborted, not logged.
 */
export class HandshakeWatch {
  private readonly pending = new Set<MessageStream>();
  /** When each remote address last completed a handshake. */
  private readonly passedAt = new Map<string, number>();

  constructor(
    private readonly verdict: { onFailed: (remoteHost: string) => void; onAborted: (remoteHost: string) => void },
    private readonly now: () => number = Date.now,
  ) {}

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
    if (this.passedAt.size >= MAX_REMEMBERED_HANDSHAKE_ADDRESSES) this.passedAt.clear();
    this.passedAt.set(remoteHost(maConn), this.now());
  }

  private watch(connection: MessageStream): void {
    this.pending.add(connection);
    connection.addEventListener(
      'close',
      () => {
        if (!this.pending.delete(connection)) return;
        const host = remoteHost(connection);
        const failedAt = this.now();
        // Judged a moment later: a member restarting or redialling completes its next handshake by then.
        setTimeout(() => {
          const passed = this.passedAt.get(host);
          if (passed !== undefined && passed >= failedAt - REFUSED_LOG_INTERVAL_MS) this.verdict.onAborted(host);
          else this.verdict.onFailed(host);
        }, HANDSHAKE_VERDICT_DELAY_MS).unref();
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
