// Branded ids: a MemoryId cannot be passed where a TaskId is expected by accident.
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type MemoryId = Brand<string, 'MemoryId'>;
export type TaskId = Brand<string, 'TaskId'>;
export type VaultId = Brand<string, 'VaultId'>;
export type PeerIdString = Brand<string, 'PeerIdString'>;

/** Collections of replicated documents; each document belongs to exactly one. */
export type Collection = 'memories' | 'agents' | 'tasks' | 'vaults' | 'teams' | 'mesh';

/** Who made a change: recorded in every Automerge change message. */
export interface Actor {
  machine: string;
  agent: string;
}
