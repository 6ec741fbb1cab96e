import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { MeshError } from '../errors.js';
import type { HostIdentity } from '../identity/HostIdentity.js';
import { actorForPeer } from './actorBinding.js';
import { changeSigner, type ChangeSigner } from './changeSignatures.js';

/** This host's author identity: its peer id, the actor bound to it, and a signer with its key. */
export interface HostAuthorship {
  peer: string;
  actor: string;
  signer: ChangeSigner;
}

/**
 * Derived from the libp2p key in the identity. A home from before signed authorship keeps its old
 * random actor in `identity.actorId` (legacy history was written under it) and writes under the
 * derived actor from now on: Automerge documents take a new actor when loaded.
 */
export function hostAuthorship(identity: HostIdentity): HostAuthorship {
  if (!identity.p2pKey) throw new MeshError('HOME_INVALID', 'this home has no libp2p key; run `mesh init`');
  const key = privateKeyFromProtobuf(Buffer.from(identity.p2pKey, 'base64'));
  if (key.type !== 'Ed25519') throw new MeshError('HOME_INVALID', `this home's libp2p key is ${key.type}, not Ed25519`);
  const peer = peerIdFromPrivateKey(key).toString();
  return { peer, actor: actorForPeer(peer), signer: changeSigner(peer, key.raw) };
}
