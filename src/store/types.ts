import type { Collection } from '../types.js';

/** Who may receive a document: everyone in the mesh, hosts of the writer's teams, or nobody else. */
export type ShareScope = 'mesh' | 'team' | 'private';

/**
 * Left behind by a hard delete: no content, just enough to refuse re-importing the document and
 * to prove (by signature) which member erased it, so peers apply it too.
 */
export interface Tombstone {
  erasedAt: number;
  machine: string;
  agent: string;
  reason?: string;
  /**
   * Who may receive it, as for the document it replaces (absent: everyone). A private document's
   * tombstone never leaves its host: it would carry the id, machine, agent and reason of a
   * document no other host ever had. Not covered by the signature; it only narrows forwarding.
   */
  scope?: ShareScope;
  /** Peer id of the host that erased it, and its Ed25519 signature over the tombstone (base64). */
  by?: string;
  sig?: string;
}

/** One committed write, in commit order: what derived indexes replay. */
export interface LogEntry {
  seq: number;
  collection: Collection;
  id: string;
  op: 'put' | 'erase';
}

/** The newest state of one document, as offered to peers: its heads, or its tombstone. */
export interface FeedEntry {
  seq: number;
  collection: Collection;
  id: string;
  scope: ShareScope;
  heads: string[] | null;
  tomb?: Tombstone;
  /**
   * The member this exact version came from (heads as that peer sent them) and that peer's feed
   * epoch then: that peer has it, so it need not be offered back (see SyncEngine.serveFeed).
   */
  from?: { peer: string; epoch: string };
}

/** Emitted once a write is durable; replication pushes it to connected peers. */
export interface CommitEvent {
  seq: number;
  collection: Collection;
  id: string;
  scope: ShareScope;
  heads: string[];
  /** The view written beside the document (absent for erasures). */
  view?: unknown;
  /** The Automerge changes this write added (absent for erasures and fast imports). */
  changes?: Uint8Array[];
  /** The heads `changes` were made on top of (present with `changes`): the changes are exactly those from `base` to `heads`. */
  base?: string[];
  tomb?: Tombstone;
  /** Peer id the write came from, or undefined when it was made on this host. */
  origin?: string;
  /** Signature records of `changes` (or of the imported document's changes), as stored. */
  sigs?: Uint8Array;
}
