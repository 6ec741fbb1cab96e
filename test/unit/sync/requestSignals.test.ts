import { getEventListeners } from 'node:events';
import { streamPair } from '@libp2p/utils';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { FramedStream } from '../../../src/sync/codec.js';
import { DocApplier } from '../../../src/sync/DocApplier.js';
import { SYNC_PROTOCOL } from '../../../src/sync/constants.js';
import { HeadsDigest } from '../../../src/sync/HeadsDigest.js';
import { FeedResponse } from '../../../src/sync/messages.js';
import { RecentWrites } from '../../../src/sync/RecentWrites.js';
import { RejectionLog } from '../../../src/sync/RejectionLog.js';
import { request } from '../../../src/sync/SyncClient.js';
import { systemClock } from '../../../src/sync/SyncPorts.js';
import { SyncServer } from '../../../src/sync/SyncServer.js';
import { MemoryNetwork } from '../../helpers/memoryTransport.js';
import { syncHost, type SyncHost } from '../../helpers/syncPair.js';

const A = 'peer-a';
const B = 'peer-b';
/** Requests per test: enough that a per-request leftover shows as a count, not noise. */
const N = 200;

/**
 * What each sync request leaves on the engine's stop signal, which lives as long as the daemon.
 * Node 20 keeps every AbortSignal.any() result in its sources' `kDependantSignals` set (WeakRefs
 * it never prunes); read through the symbol's description, the only way to see it. On a Node
 * without that set the count is 0 and only the listener count below is checked.
 */
function dependants(signal: AbortSignal): number {
  const sym = Object.getOwnPropertySymbols(signal).find((s) => s.description === 'kDependantSignals');
  const set = sym ? (signal as unknown as Record<symbol, Set<unknown> | undefined>)[sym] : undefined;
  return set?.size ?? 0;
}

describe('sync requests leave nothing on the long-lived stop signal', () => {
  const hosts: SyncHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.dispose()));
  });

  it(`a client: ${N} requests to a real host, then no dependants and no listeners`, async () => {
    const net = new MemoryNetwork();
    const a = await syncHost(net, A, [A, B]);
    hosts.push(a);
    await a.remember('a fact to page through');
    const client = net.transport(B);
    net.connect(A, B);
    const stop = new AbortController();
    for (let i = 0; i < N; i++) {
      const page = await request(client, A, { t: 'feed', since: 0, epoch: null, limit: 10 }, FeedResponse, stop.signal);
      expect(page.entries.length).toBeGreaterThan(0);
    }
    expect({ dependants: dependants(stop.signal), listeners: getEventListeners(stop.signal, 'abort').length }).toEqual({ dependants: 0, listeners: 0 });
  });

  it(`a server: ${N} requests served, then no dependants and no listeners`, async () => {
    const net = new MemoryNetwork();
    const a = await syncHost(net, A, [A, B]);
    hosts.push(a);
    await a.remember('a fact to serve');
    const logger = silentLogger();
    const applier = new DocApplier({ store: a.store, membership: a.membership, logger, guards: [], rejections: new RejectionLog(systemClock), onRemoteErase: () => undefined });
    const server = new SyncServer({ store: a.store, membership: a.membership, logger, canShare: () => true, applier, recent: new RecentWrites(), digest: new HeadsDigest(), onIncompletePush: () => undefined });
    const stop = new AbortController();
    for (let i = 0; i < N; i++) {
      const [outbound, inbound] = await streamPair({ delay: 0 });
      const served = server.serve(inbound, B, stop.signal);
      const io = new FramedStream(outbound);
      await io.send({ t: 'feed', since: 0, epoch: null, limit: 10 });
      expect((await io.receive(FeedResponse)).entries.length).toBeGreaterThan(0);
      await served;
      await io.close();
    }
    expect({ dependants: dependants(stop.signal), listeners: getEventListeners(stop.signal, 'abort').length }).toEqual({ dependants: 0, listeners: 0 });
  });

  it('a stop still cancels a request in flight, and a request after the stop fails at once', async () => {
    const net = new MemoryNetwork();
    const silent = net.transport(A);
    // A peer that accepts the stream and never answers.
    await silent.handle(SYNC_PROTOCOL, () => undefined);
    const client = net.transport(B);
    net.connect(A, B);
    const stop = new AbortController();
    const pending = request(client, A, { t: 'feed', since: 0, epoch: null, limit: 10 }, FeedResponse, stop.signal);
    stop.abort(new Error('engine stopped'));
    await expect(pending).rejects.toThrow();
    await expect(request(client, A, { t: 'feed', since: 0, epoch: null, limit: 10 }, FeedResponse, stop.signal, SYNC_PROTOCOL)).rejects.toThrow();
    expect(getEventListeners(stop.signal, 'abort').length).toBe(0);
  });
});
