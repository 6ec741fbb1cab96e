import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FramedStream } from '../../../src/sync/codec.js';
import { SYNC_DIGEST_PROTOCOL, SYNC_PROTOCOL } from '../../../src/sync/constants.js';
import { fuzzParams } from '../../helpers/fuzzParams.js';
import { MemoryNetwork } from '../../helpers/memoryTransport.js';
import { syncHost, type SyncHost } from '../../helpers/syncPair.js';

/** Bound on one exchange: the server answers or closes well within it, or it hung. */
const EXCHANGE_MS = 5_000;
const FUZZER = 'fuzzer';
const Reply = z.object({ t: z.string() }).passthrough();
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

/** A request from a member peer: raw bytes, any JSON, or a near-valid request with fields swapped for anything. */
const frame = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc.jsonValue().map((v) => encode(v)),
  fc
    .record({
      t: fc.constantFrom('feed', 'get', 'push', 'digest', 'leaves', 'entries'),
      since: fc.oneof(fc.nat(), fc.anything()),
      epoch: fc.oneof(fc.constant(null), fc.string({ maxLength: 8 }), fc.anything()),
      limit: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.anything()),
      team: fc.oneof(fc.boolean(), fc.anything()),
      tops: fc.oneof(fc.array(fc.nat({ max: 300 }), { maxLength: 4 }), fc.anything()),
      leaves: fc.oneof(fc.array(fc.nat({ max: 70_000 }), { maxLength: 4 }), fc.anything()),
      docs: fc.array(
        fc.record(
          {
            c: fc.constantFrom('memories', 'agents', 'tasks', 'mesh', 'teams', 'vaults'),
            id: fc.string({ minLength: 1, maxLength: 12 }),
            heads: fc.array(hex64, { maxLength: 2 }),
            changes: fc.array(fc.uint8Array({ maxLength: 32 }), { maxLength: 2 }),
            tomb: fc.record({ erasedAt: fc.double(), machine: fc.string(), agent: fc.string() }),
            sigs: fc.uint8Array({ maxLength: 32 }),
          },
          { requiredKeys: ['c', 'id', 'heads'] },
        ),
        { maxLength: 3 },
      ),
    }, { requiredKeys: ['t'] })
    .map((v) => encode(v, { ignoreUndefined: true })),
);

/**
 * The sync server's request handling under hostile frames from a member, over the in-memory
 * stream pair: each exchange ends (a reply or a closed stream) within a bound, and the server
 * still answers a well-formed feed request afterwards.
 */
describe('fuzz: sync server request handling', () => {
  const net = new MemoryNetwork();
  const fuzzer = net.transport(FUZZER);
  let server: SyncHost;

  beforeAll(async () => {
    server = await syncHost(net, 'server', ['server', FUZZER]);
    await server.remember('a fact the fuzzer may read');
    net.connect('server', FUZZER);
  });
  afterAll(async () => {
    await server.dispose();
  });

  async function exchange(protocol: string, bytes: Uint8Array): Promise<unknown> {
    const stream = new FramedStream(await fuzzer.dial('server', protocol, AbortSignal.timeout(EXCHANGE_MS)));
    try {
      await stream.sendEncoded(bytes, AbortSignal.timeout(EXCHANGE_MS));
      return await stream.receive(Reply, AbortSignal.timeout(EXCHANGE_MS));
    } catch (err) {
      // A closed or reset stream is the server's answer to a frame it refuses; a timeout is a hang.
      if (err instanceof Error && err.name === 'TimeoutError') throw new Error(`the server hung on a ${bytes.length}-byte frame`);
      return err;
    } finally {
      stream.abort('done');
    }
  }

  it('every frame ends in a reply or a close, and the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(frame, fc.boolean(), async (bytes, digest) => {
        await exchange(digest ? SYNC_DIGEST_PROTOCOL : SYNC_PROTOCOL, bytes);
        const feed = await exchange(SYNC_PROTOCOL, encode({ t: 'feed', since: 0, epoch: null, limit: 10 }));
        expect(feed).toMatchObject({ t: 'feed' });
      }),
      fuzzParams(300),
    );
  }, 120_000);
});
