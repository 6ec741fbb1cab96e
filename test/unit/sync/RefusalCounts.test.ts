import { describe, expect, it } from 'vitest';
import { statusText } from '../../../src/cli/statusText.js';
import { MAX_COUNTED_REFUSAL_SOURCES } from '../../../src/sync/constants.js';
import { RefusalCounts } from '../../../src/sync/RefusalCounts.js';

describe('refusal counts', () => {
  it('counts every attempt and each source once, and `mesh status` says it in one line', () => {
    const counts = new RefusalCounts(() => Date.parse('2026-12-06T08:00:00Z'));
    for (let i = 0; i < 5; i++) counts.record('wrong_mesh_key', '10.201.0.9');
    counts.record('not_a_member', 'peer-x');
    counts.record('not_a_member', 'peer-y');
    const snap = counts.snapshot();
    expect(snap.wrong_mesh_key).toEqual({ attempts: 5, sources: 1, sources_capped: false, last_at: '2026-12-06T08:00:00.000Z' });
    expect(snap.join_refused).toEqual({ attempts: 0, sources: 0, sources_capped: false, last_at: null });
    const text = statusText({ replication: { peer_id: 'p', listen: [], peers: [], refused: snap } });
    expect(text).toContain('refused since start: 5 connections failing the mesh-key handshake (from 1 address), 2 connections from non-members (from 2 peers)');
    expect(statusText({ replication: { peer_id: 'p', listen: [], peers: [], refused: new RefusalCounts().snapshot() } })).not.toContain('refused since start');
  });

  it('made-up sources do not grow it past the cap: the count says "at least"', () => {
    const counts = new RefusalCounts();
    for (let i = 0; i < MAX_COUNTED_REFUSAL_SOURCES + 10; i++) counts.record('not_a_member', `peer-${i}`);
    const t = counts.snapshot().not_a_member;
    expect(t).toMatchObject({ attempts: MAX_COUNTED_REFUSAL_SOURCES + 10, sources: MAX_COUNTED_REFUSAL_SOURCES, sources_capped: true });
    expect(statusText({ replication: { refused: counts.snapshot() } })).toContain(`(from at least ${MAX_COUNTED_REFUSAL_SOURCES} peers)`);
  });
});
