import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import type { MeshError } from '../../../src/errors.js';
import { checkInviteKey, normaliseFingerprint } from '../../../src/teams/inviteFingerprint.js';
import { fingerprint } from '../../../src/vault/boxKeys.js';

async function host() {
  const key = await generateKeyPair('Ed25519');
  return { peer: peerIdFromPrivateKey(key).toString(), fp: fingerprint(key.publicKey.raw) };
}

function thrown(fn: () => unknown): MeshError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e as MeshError;
  }
}

describe('the invite fingerprint', () => {
  it('accepts the inviter whose key matches, in any spelling of the fingerprint', async () => {
    const a = await host();
    expect(checkInviteKey({ inviter: a.peer, fp: a.fp }).fingerprint).toBe(a.fp);
    expect(checkInviteKey({ inviter: a.peer, fp: a.fp }, a.fp.replace(/:/g, ' ').toUpperCase()).fingerprint).toBe(a.fp);
    expect(normaliseFingerprint(a.fp.replace(/:/g, ''))).toBe(a.fp);
  });

  it('refuses a token whose inviter key was substituted, or differs from what the joiner was told', async () => {
    const [a, mallory] = [await host(), await host()];
    expect(thrown(() => checkInviteKey({ inviter: mallory.peer, fp: a.fp }))?.code).toBe('INVITE_KEY_MISMATCH');
    expect(thrown(() => checkInviteKey({ inviter: mallory.peer, fp: mallory.fp }, a.fp))?.code).toBe('INVITE_KEY_MISMATCH');
    expect(thrown(() => checkInviteKey({ inviter: mallory.peer }, a.fp))?.message).toMatch(/substituted key/);
  });
});
