import { decode, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MeshError } from '../../../src/errors.js';
import { FrameDecoder, encodeFrame } from '../../../src/ipc/framing.js';
import { decodeToken, encodeToken } from '../../../src/mesh/invites.js';
import { DocsResponse, FeedResponse, JoinRequest, SyncRequest } from '../../../src/sync/messages.js';
import { fuzzParams } from '../../helpers/fuzzParams.js';

/** Either returns or throws a MeshError with a code; any other throw is a bug. */
function onlyMeshErrors(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof MeshError)) throw err;
    expect(typeof err.code).toBe('string');
  }
}

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const validToken = fc.record({
  v: fc.constant(1 as const),
  mesh: fc.string({ minLength: 1 }),
  psk: fc.string({ minLength: 1 }),
  inviter: fc.string({ minLength: 1 }),
  addrs: fc.array(fc.string(), { minLength: 1, maxLength: 4 }),
  secret: hex64,
  exp: fc.integer(),
  root: hex64,
});
/** A JSON value, sometimes a valid message with one field replaced: near-valid inputs reach deeper checks. */
const nearValidRequest = fc.oneof(
  fc.jsonValue(),
  fc.record({ t: fc.constantFrom('feed', 'get', 'push', 'digest', 'leaves', 'entries', 'join'), since: fc.anything(), epoch: fc.anything(), limit: fc.anything(), docs: fc.anything(), team: fc.anything(), tops: fc.anything(), leaves: fc.anything() }, { requiredKeys: ['t'] }),
  fc.record({ t: fc.constant('push'), docs: fc.array(fc.record({ c: fc.constantFrom('memories', 'mesh', 'x'), id: fc.string(), heads: fc.array(hex64, { maxLength: 3 }), changes: fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 3 }), tomb: fc.anything() }, { requiredKeys: ['c', 'id', 'heads'] }), { maxLength: 3 }) }),
);

describe('fuzz: sync wire decoding', () => {
  it('arbitrary bytes through msgpack and every sync schema: parsed or rejected, never a stray throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        let value: unknown;
        try {
          value = decode(bytes);
        } catch {
          return; // FramedStream.receive turns any decode throw into PROTOCOL_ERROR
        }
        for (const schema of [SyncRequest, FeedResponse, DocsResponse, JoinRequest]) schema.safeParse(value);
      }),
      fuzzParams(2_000),
    );
  });

  it('near-valid requests re-encoded: the schema answers within bounds and never throws', () => {
    fc.assert(
      fc.property(nearValidRequest, (msg) => {
        let value: unknown;
        try {
          value = decode(encode(msg, { ignoreUndefined: true }));
        } catch {
          return;
        }
        const parsed = SyncRequest.safeParse(value);
        if (!parsed.success) expect(parsed.error.issues.length).toBeGreaterThan(0);
      }),
      fuzzParams(1_000),
    );
  });
});

describe('fuzz: invite token parser', () => {
  it('arbitrary text: a token or INVALID_INPUT', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `hm1.${s}`), fc.jsonValue().map((j) => `hm1.${Buffer.from(JSON.stringify(j) ?? '').toString('base64url')}`)), (text) => {
        try {
          decodeToken(text);
        } catch (err) {
          expect(err).toBeInstanceOf(MeshError);
          expect((err as MeshError).code).toBe('INVALID_INPUT');
        }
      }),
      fuzzParams(2_000),
    );
  });

  it('valid tokens round-trip; one character changed is a token or INVALID_INPUT', () => {
    fc.assert(
      fc.property(validToken, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (token, at, ch) => {
        const text = encodeToken(token);
        expect(decodeToken(text)).toEqual(token);
        const i = at % text.length;
        onlyMeshErrors(() => decodeToken(text.slice(0, i) + ch + text.slice(i + 1)));
      }),
      fuzzParams(1_000),
    );
  });
});

describe('fuzz: local socket frame reader', () => {
  /** A well-formed header around arbitrary bytes (or JSON text), so bodies reach the JSON parse, not only the length check. */
  const framedGarbage = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 32 }).map((t) => new Uint8Array(Buffer.from(t)))).map((body) => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length, 0);
    return new Uint8Array(Buffer.concat([header, body]));
  });
  it('arbitrary byte chunks: frames or PROTOCOL_ERROR, and the buffer never exceeds what was pushed', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), framedGarbage), { maxLength: 20 }), (chunks) => {
        const decoder = new FrameDecoder();
        let pushed = 0;
        for (const chunk of chunks) {
          pushed += chunk.length;
          try {
            decoder.push(Buffer.from(chunk));
          } catch (err) {
            expect(err).toBeInstanceOf(MeshError);
            expect((err as MeshError).code).toBe('PROTOCOL_ERROR');
            return;
          }
          expect(decoder.buffered).toBeLessThanOrEqual(pushed);
        }
      }),
      fuzzParams(2_000),
    );
  });

  it('valid frames split at arbitrary points come out whole and in order', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (values, cuts) => {
        const bytes = Buffer.concat(values.map((v) => encodeFrame(v)));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const decoder = new FrameDecoder();
        const out: unknown[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          out.push(...decoder.push(bytes.subarray(from, p)));
          from = p;
        }
        expect(out).toEqual(values.map((v) => JSON.parse(JSON.stringify(v)) as unknown));
        expect(decoder.buffered).toBe(0);
      }),
      fuzzParams(1_000),
    );
  });
});
