import { createHash } from 'node:crypto';

/**
 * The Automerge actor id of a host, derived from its peer id (the hash of its libp2p Ed25519
 * public key), so the binding between a change's actor and the key that signed it is checked
 * without any lookup: a signature by peer P counts for a change only if the change's actor is
 * `actorForPeer(P)`. Same shape as Automerge's default actors (16 bytes, hex).
 */
export function actorForPeer(peerId: string): string {
  return createHash('sha256').update(`hivemesh/actor/1\n${peerId}`).digest('hex').slice(0, 32);
}
