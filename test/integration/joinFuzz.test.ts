import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Connection, Libp2p } from '@libp2p/interface';
import { preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { encode } from '@msgpack/msgpack';
import { multiaddr } from '@multiformats/multiaddr';
import fc from 'fast-check';
import { createLibp2p } from 'libp2p';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FramedStream } from '../../src/sync/codec.js';
import { JOIN_PROTOCOL } from '../../src/sync/constants.js';
import { fuzzParams } from '../helpers/fuzzParams.js';
import { TestHost } from '../helpers/meshHosts.js';

/** Bound on one exchange: the inviter answers or closes well within it, or it hung. */
const EXCHANGE_MS = 5_000;
const Reply = z.object({ t: z.string() }).passthrough();

/** What an unknown peer may send on the join protocol while an invite is open: bytes, any JSON, near-valid join requests. */
const frame = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc.jsonValue().map((v) => encode(v)),
  fc
    .record(
      {
        t: fc.oneof(fc.constant('join'), fc.anything()),
        secret: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string({ maxLength: 70 }), fc.anything()),
        name: fc.oneof(fc.string({ maxLength: 80 }), fc.anything()),
        addrs: fc.oneof(fc.array(fc.string({ maxLength: 60 }), { maxLength: 4 }), fc.anything()),
        teams: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), fc.anything()),
      },
      { requiredKeys: ['t'] },
    )
    .map((v) => encode(v, { ignoreUndefined: true })),
);

/**
 * Issue 16 item 3, the join protocol (the one handler an unknown peer reaches): while the founder
 * has an invite open, a peer holding the mesh key but no invite sends hostile frames. Each
 * exchange ends in a refusal or a closed stream within the bound, nothing admits it, the
 * founder logs it at most once per message kind, and still answers a well-formed join.
 */
describe('fuzz: the join protocol from an unknown peer', () => {
  let alpha: TestHost;
  let fuzzer: Libp2p;
  let conn: Connection;

  beforeAll(async () => {
    alpha = await TestHost.create('alpha');
    await alpha.start();
    // An open invite lets unknown peers connect (to the join protocol only).
    expect((await alpha.cli(['invite'])).code).toBe(0);
    const psk = (JSON.parse(readFileSync(join(alpha.home.dir, 'mesh.json'), 'utf8')) as { psk: string }).psk;
    fuzzer = await createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionProtector: preSharedKey({ psk: new TextEncoder().encode(psk) }) });
    conn = await fuzzer.dial(multiaddr(alpha.addr));
  }, 120_000);
  afterAll(async () => {
    await fuzzer?.stop();
    await alpha.dispose();
  });

  async function exchange(bytes: Uint8Array): Promise<unknown> {
    const stream = new FramedStream(await conn.newStream(JOIN_PROTOCOL, { signal: AbortSignal.timeout(EXCHANGE_MS) }));
    try {
      await stream.sendEncoded(bytes, AbortSignal.timeout(EXCHANGE_MS));
      return await stream.receive(Reply, AbortSignal.timeout(EXCHANGE_MS));
    } catch (err) {
      // A reset stream is the inviter's answer to a frame it refuses; a timeout is a hang.
      if (err instanceof Error && err.name === 'TimeoutError') throw new Error(`the inviter hung on a ${bytes.length}-byte frame`);
      return err;
    } finally {
      stream.abort('done');
    }
  }

  it('every frame is refused or closed, nothing is admitted, and the inviter keeps answering', { timeout: 300_000 }, async () => {
    const seen: string[] = [];
    await fc.assert(
      fc.asyncProperty(frame, async (bytes) => {
        const reply = await exchange(bytes);
        const t = reply instanceof Error ? `closed (${reply.name})` : (reply as { t: string }).t;
        seen.push(t);
        expect(t).not.toBe('joined');
      }),
      fuzzParams(150),
    );
    const wellFormed = await exchange(encode({ t: 'join', secret: 'f'.repeat(64), name: 'fuzzer', addrs: [], teams: [] }));
    expect(wellFormed, `outcomes: ${JSON.stringify(seen.slice(0, 40))}`).toMatchObject({ t: 'error', code: 'INVITE_REFUSED' });

    const peers = (await alpha.json<{ peers: { peer: string }[] }>(['peers'])).peers.map((p) => p.peer);
    expect(peers).not.toContain(fuzzer.peerId.toString());
    // Once per interval per message, however many frames: a refused join and a garbled exchange.
    for (const message of ['refused a join', 'bad join exchange']) {
      const lines = alpha.log.split('\n').filter((l) => l.includes(message) && l.includes(fuzzer.peerId.toString()));
      expect(lines.length, `${message}: ${lines.join('\n')}`).toBeLessThanOrEqual(1);
    }
  });
});
