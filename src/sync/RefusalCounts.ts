import { MAX_COUNTED_REFUSAL_SOURCES } from './constants.js';

/**
 * Why a connection or join was refused. `wrong_mesh_key`: the first bytes an inbound connection's
 * private-network stream decrypted were not libp2p's multistream header (a dialer holding another
 * mesh key, or something that is not a libp2p dialer: the bytes are noise either way; see
 * HandshakeWatch); `not_a_member`: the handshake completed but the peer is not a member (unknown or
 * removed); `join_refused`: a join with a forged, replayed, expired or garbled invite;
 * `aborted_handshake`: an inbound connection that closed before the gater with no verdict on its
 * bytes (nothing sent, a member's dial given up on restart or under load): not a refusal, counted
 * to explain the others; `refused_before_handshake`: libp2p refused the connection before any
 * byte was exchanged (too many handshakes in progress, or more than 5 a second from one address),
 * so nothing is known of it but its address.
 */
export type RefusalReason = 'wrong_mesh_key' | 'not_a_member' | 'join_refused' | 'aborted_handshake' | 'refused_before_handshake';

export interface RefusalTally {
  attempts: number;
  /** Distinct remote addresses (wrong_mesh_key) or peer ids (the others); capped, see `sources_capped`. */
  sources: number;
  sources_capped: boolean;
  last_at: string | null;
}

/** Refusals since the daemon started, by reason (`mesh status`): every attempt counts, unlike the log. */
export class RefusalCounts {
  private readonly tallies = new Map<RefusalReason, { attempts: number; sources: Set<string>; capped: boolean; lastAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  record(reason: RefusalReason, source: string): void {
    let t = this.tallies.get(reason);
    if (!t) this.tallies.set(reason, (t = { attempts: 0, sources: new Set(), capped: false, lastAt: 0 }));
    t.attempts++;
    t.lastAt = this.now();
    if (t.sources.has(source)) return;
    if (t.sources.size >= MAX_COUNTED_REFUSAL_SOURCES) t.capped = true;
    else t.sources.add(source);
  }

  snapshot(): Record<RefusalReason, RefusalTally> {
    const one = (reason: RefusalReason): RefusalTally => {
      const t = this.tallies.get(reason);
      return { attempts: t?.attempts ?? 0, sources: t?.sources.size ?? 0, sources_capped: t?.capped ?? false, last_at: t ? new Date(t.lastAt).toISOString() : null };
    };
    return { wrong_mesh_key: one('wrong_mesh_key'), not_a_member: one('not_a_member'), join_refused: one('join_refused'), aborted_handshake: one('aborted_handshake'), refused_before_handshake: one('refused_before_handshake') };
  }
}
