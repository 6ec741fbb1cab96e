import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { canonicalJson, signerFromKey, verifyBytes, verifyJson } from '../../../src/trust/signing.js';

async function newSigner() {
  const key = await generateKeyPair('Ed25519');
  return signerFromKey(key, peerIdFromPrivateKey(key).toString());
}

describe('signing', () => {
  it('encodes JSON canonically: key order and nesting do not change the bytes', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 'x', x: null }] })).toBe('{"a":[{"x":null,"y":"x"}],"b":1}');
    expect(canonicalJson({ a: [{ x: null, y: 'x' }], b: 1 })).toBe(canonicalJson({ b: 1, a: [{ y: 'x', x: null }] }));
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });

  it('verifies a JSON signature against the signer peer id, and nothing else', async () => {
    const alice = await newSigner();
    const bob = await newSigner();
    const payload = { op: 'add', peer: bob.peerId, n: 3 };
    const sig = await alice.signJson('membership-op/1', payload);
    expect(await verifyJson(alice.peerId, 'membership-op/1', { n: 3, peer: bob.peerId, op: 'add' }, sig)).toBe(true);
    expect(await verifyJson(bob.peerId, 'membership-op/1', payload, sig)).toBe(false);
    expect(await verifyJson(alice.peerId, 'membership-op/1', { ...payload, n: 4 }, sig)).toBe(false);
  });

  it('separates domains: a signature made for one purpose does not verify for another', async () => {
    const alice = await newSigner();
    const bytes = new Uint8Array([1, 2, 3]);
    const sig = await alice.signBytes('change/1', bytes);
    expect(await verifyBytes(alice.peerId, 'change/1', bytes, sig)).toBe(true);
    expect(await verifyBytes(alice.peerId, 'membership-op/1', bytes, sig)).toBe(false);
    await expect(alice.signBytes('Bad Domain', bytes)).rejects.toThrow();
  });

  it('answers false, never throws, for garbage peer ids and signatures', async () => {
    const alice = await newSigner();
    const sig = await alice.signJson('membership-op/1', { a: 1 });
    expect(await verifyJson('not-a-peer', 'membership-op/1', { a: 1 }, sig)).toBe(false);
    expect(await verifyJson(alice.peerId, 'membership-op/1', { a: 1 }, 'AAAA')).toBe(false);
    expect(await verifyJson(alice.peerId, 'membership-op/1', { a: 1 }, '')).toBe(false);
  });
});

describe('signing interoperates with libp2p keys', () => {
  it('a signature verifies with the libp2p public key (the tombstone check), and the reverse', async () => {
    const key = await generateKeyPair('Ed25519');
    const peerId = peerIdFromPrivateKey(key).toString();
    const signer = signerFromKey(key, peerId);
    const bytes = new Uint8Array([9, 8, 7]);
    const sig = await signer.signBytes('change/1', bytes);
    const { signedBytes } = await import('../../../src/trust/signing.js');
    expect(await key.publicKey.verify(signedBytes('change/1', bytes), Buffer.from(sig, 'base64'))).toBe(true);
    const theirs = Buffer.from(await key.sign(signedBytes('change/1', bytes))).toString('base64');
    expect(theirs).toBe(sig);
    expect(await verifyBytes(peerId, 'change/1', bytes, theirs)).toBe(true);
  });
});
