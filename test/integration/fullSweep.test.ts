import { afterAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../src/home.js';
import { silentLogger } from '../../src/log.js';
import { DocStore } from '../../src/store/DocStore.js';
import type { PeerSyncState, PullResult } from '../../src/sync/SyncEngine.js';
import { eventually, joinMesh, TestHost } from '../helpers/meshHosts.js';

/**
 * The safety nets under the per-peer cursors: a cursor that has moved past a document this host
 * never received (forged here, as a stand-in for a bug that lets a cursor skip an entry) hides it
 * from every ordinary pull; the heads digest compared at every anti-entropy round finds it within
 * seconds, and a sweep (`mesh sync --full`, and anti-entropy every FULL_SWEEP_INTERVAL_MS) then
 * finds nothing left to fetch. (The sweep fetching on its own: test/unit/sync/SyncEngine.test.ts.)
 */
describe('full sweep and heads digest', () => {
  const hosts: TestHost[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.dispose()));
  });

  it('fetches a document an ordinary pull skips because the cursor moved past it', { timeout: 120_000 }, async () => {
    const [a, b] = await Promise.all([TestHost.create('sweep-a'), TestHost.create('sweep-b')]);
    hosts.push(a, b);
    await a.start();
    await joinMesh(a, b);
    const seen = await a.store('zqsweep seen by both hosts');
    await eventually(async () => (await b.cli(['get', seen])).code === 0, 'the first memory on b', 60_000);

    await b.stop();
    const missed = await a.store('zqsweep written while b was away');
    const aPeer = await a.peerId();
    const aSeq = (await a.json<{ index: { store_seq: number } }>(['status'])).index.store_seq;
    // Move b's cursor for a past the new memory, as a cursor bug would.
    const store = new DocStore(homePaths(b.home.dir).db, silentLogger());
    await store.open();
    const state = await store.getLocal<PeerSyncState>(`sync/${aPeer}`);
    expect(state?.epoch).toBeTruthy();
    await store.putLocal(`sync/${aPeer}`, { ...state!, seq: aSeq });
    await store.close();

    await b.start();
    await eventually(async () => (await b.json<{ peers: { peer: string; connected: boolean }[] }>(['peers'])).peers.some((p) => p.peer === aPeer && p.connected), 'b connected to a', 60_000);
    const ordinary = await b.json<{ results: PullResult[] }>(['sync', aPeer]);
    expect(ordinary.results[0]?.fetched).toBe(0);
    // No sweep asked for: anti-entropy's digest comparison brings it.
    await eventually(async () => (await b.cli(['get', missed])).code === 0, 'the skipped memory healed by the heads digest', 60_000);
    expect((await b.json<{ content: string }>(['get', missed])).content).toBe('zqsweep written while b was away');
    // The sweep left the cursor where it was (it never moves back), and found nothing else differing.
    const again = await b.json<{ results: PullResult[] }>(['sync', aPeer, '--full']);
    expect(again.results[0]?.fetched).toBe(0);
  });
});
