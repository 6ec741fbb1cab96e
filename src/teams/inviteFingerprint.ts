import { peerIdFromString } from '@libp2p/peer-id';
import { MeshError } from '../errors.js';
import type { InviteToken } from '../mesh/invites.js';
import { fingerprint } from '../vault/boxKeys.js';

/**
 * The fingerprint of a host's signing key (its libp2p Ed25519 key, which its peer id encodes), in
 * the form `mesh whoami` prints: what two people compare aloud before a join.
 */
export function signingFingerprintOfPeer(peerId: string): string {
  let key: Uint8Array | undefined;
  try {
    const parsed = peerIdFromString(peerId);
    key = parsed.type === 'Ed25519' ? parsed.publicKey?.raw : undefined;
  } catch {
    key = undefined;
  }
  if (!key) throw new MeshError('INVALID_INPUT', 'the invite names an inviter that is not an Ed25519 peer id (the token is damaged)');
  return fingerprint(key);
}

/** `ab12 cd34…`, `AB12:CD34…` and `ab12cd34…` are the same fingerprint. */
export function normaliseFingerprint(text: string): string {
  const hex = text.toLowerCase().replace(/[^0-9a-f]/g, '');
  return hex.match(/.{1,4}/g)?.join(':') ?? '';
}

/**
 * Checks an invite's keys before this home trusts it. The token names the inviter's peer id (its
 * signing key) and carries that key's fingerprint as the inviter printed it; a token whose
 * inviter was swapped for another key without its fingerprint, or whose fingerprint differs from
 * the one the joiner was told out of band (`expected`, from the inviter's `mesh whoami`), is a
 * substituted key and refused. The mesh's root (genesis) is pinned by the token's `root`, the hash
 * of the signed genesis, so once the inviter is the right one the root cannot be swapped either.
 */
export function checkInviteKey(token: Pick<InviteToken, 'inviter' | 'fp'>, expected?: string): { fingerprint: string } {
  const actual = signingFingerprintOfPeer(token.inviter);
  if (token.fp !== undefined && normaliseFingerprint(token.fp) !== actual) {
    throw new MeshError('INVITE_KEY_MISMATCH', `the invite's inviter key does not match the fingerprint it carries (inviter key ${actual}, token says ${normaliseFingerprint(token.fp)}): the token was altered or its key substituted; ask the inviter for a new one`, { inviter_fingerprint: actual });
  }
  if (expected !== undefined && normaliseFingerprint(expected) !== actual) {
    throw new MeshError('INVITE_KEY_MISMATCH', `the invite's inviter key has fingerprint ${actual}, not ${normaliseFingerprint(expected)} as you were told: a substituted key; do not join with this token`, { inviter_fingerprint: actual });
  }
  return { fingerprint: actual };
}
