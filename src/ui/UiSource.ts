import type { MethodName, ParamsOf, ResultOf } from '../daemon/methodMap.js';
import type { Collection } from '../types.js';

/** What a member told this host about itself in its last presence exchange (src/sync/Presence.ts). */
export interface PeerReport {
  version: string | null;
  /** Member peer ids it was connected to when it sent. */
  connected: string[];
  /** How long ago it was heard (ms). */
  heard_ago_ms: number;
}

/**
 * Everything the dashboard needs from the daemon: its socket methods (the same validated API the
 * CLI and MCP use, called in process), its commit events, and what presence learned of the peers.
 */
export interface UiSource {
  /** Calls a daemon method as the dashboard; rejects with the method's MeshError. */
  call<N extends MethodName>(method: N, params: ParamsOf<N>): Promise<ResultOf<N>>;
  /** Durable commits, local or replicated; returns the unsubscribe function. */
  onCommit(listener: (event: { collection: Collection; id: string; seq: number }) => void): () => void;
  /** Presence reports of the members, by peer id (empty without replication). */
  peerReports(): ReadonlyMap<string, PeerReport>;
}
