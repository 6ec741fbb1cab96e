import type { Membership } from '../mesh/Membership.js';
import type { DocStore } from '../store/DocStore.js';

/** The store operations replication uses (the real DocStore in the daemon and in tests). */
export type SyncStore = Pick<
  DocStore,
  'epoch' | 'actor' | 'signatures' | 'onCommit' | 'feedSince' | 'headsMany' | 'heads' | 'readMany' | 'load' | 'importDoc' | 'appendChanges' | 'tombstone' | 'tombstonesMany' | 'mutate' | 'erase' | 'getLocal' | 'putLocal' | 'scanLocal'
>;

/** The membership queries replication makes. */
export type SyncMembership = Pick<Membership, 'isMember' | 'get' | 'refresh' | 'activePeers' | 'mayErase' | 'docId'>;

/** Time and chance, injected so tests drive them. */
export interface SyncClock {
  now(): number;
}

export const systemClock: SyncClock = { now: () => Date.now() };
