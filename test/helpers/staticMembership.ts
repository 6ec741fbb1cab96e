import type { MemberRecord } from '../../src/mesh/Membership.js';
import type { SyncMembership } from '../../src/sync/SyncPorts.js';

/**
 * The sync engine's membership port with a fixed member list, for engine tests over in-memory
 * streams whose peers are names, not keys. The signed membership itself is tested on its own
 * (test/unit/trust, test/integration/trust.test.ts); here only the engine's use of the port is.
 */
export class StaticMembership implements SyncMembership {
  private readonly members = new Map<string, MemberRecord>();
  readonly docId = 'membership-test';

  constructor(peers: readonly string[], addedAt = 0) {
    for (const peer of peers) {
      this.members.set(peer, { name: peer, addrs: [], teams: [], team_admin: [], team_roles: {}, admin: false, actor: null, added_by: 'test', added_at: addedAt, removed: false, removed_at: null });
    }
  }

  isMember(peerId: string): boolean {
    const m = this.members.get(peerId);
    return m !== undefined && !m.removed;
  }

  get(peerId: string): MemberRecord | undefined {
    return this.members.get(peerId);
  }

  refresh(): Promise<void> {
    return Promise.resolve();
  }

  activePeers(): string[] {
    return [...this.members].filter(([, m]) => !m.removed).map(([id]) => id);
  }

  mayErase(peer: string, erasedAt: number): boolean {
    const m = this.members.get(peer);
    return m !== undefined && (!m.removed || (m.removed_at !== null && erasedAt <= m.removed_at));
  }

  remove(peer: string, at: number): void {
    const m = this.members.get(peer);
    if (m) this.members.set(peer, { ...m, removed: true, removed_at: at });
  }
}
