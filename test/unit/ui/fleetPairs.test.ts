import { describe, expect, it } from 'vitest';
import type { PeerStatus } from '../../../src/sync/Replicator.js';
import { connectionPairs } from '../../../src/ui/pages/fleetPage.js';

const peer = (id: string, o: Partial<PeerStatus> = {}): PeerStatus =>
  ({ peer: id, name: id, self: false, removed: false, connected: false, addrs: [], teams: [], team_admin: [], admin: false, actor: null, last_sync: null, lag_ms: null, behind: null, clock_offset_ms: null, clock_skewed: false, ...o });

describe('connectionPairs (who is connected to whom)', () => {
  it('joins this host\'s links with the members\' reports, once per pair, members only', () => {
    const peers = [peer('a', { self: true, connected: true }), peer('b', { connected: true }), peer('c'), peer('gone', { removed: true })];
    const reports = new Map([
      ['b', { version: '0.1.0', connected: ['a', 'c', 'stranger', 'gone'], heard_ago_ms: 10 }],
      ['c', { version: null, connected: ['b'], heard_ago_ms: 10 }],
    ]);
    expect(connectionPairs(peers, reports).map((p) => p.join('-')).sort()).toEqual(['a-b', 'b-c']);
  });
});
