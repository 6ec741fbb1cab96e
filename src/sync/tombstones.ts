import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Tombstone } from '../store/types.js';

/** The exact bytes a tombstone signature covers: collection, id, time and signer. */
function signedBytes(collection: string, id: string, tomb: Tombstone, by: string): Uint8Array {
  return new TextEncoder().encode(`hivemesh/tombstone/1\n${collection}\n${id}\n${tomb.erasedAt}\n${by}`);
}

export async function signTombstone(key: PrivateKey, by: string, collection: string, id: string, tomb: Tombstone): Promise<Tombstone> {
  const sig = await key.sign(signedBytes(collection, id, tomb, by));
  return { ...tomb, by, sig: Buffer.from(sig).toString('base64') };
}

/**
 * True when the tombstone is signed by `tomb.by` and that peer could erase at the time it claims
 * (`mayErase`: a member then, see Membership.mayErase). Membership documents are never erased:
 * a tombstone for one would take the mesh's members away on every host.
 */
export async function verifyTombstone(collection: string, id: string, tomb: Tombstone, mayErase: (peer: string, erasedAt: number) => boolean): Promise<boolean> {
  if (collection === 'mesh') return false;
  if (!tomb.by || !tomb.sig || typeof tomb.erasedAt !== 'number' || !mayErase(tomb.by, tomb.erasedAt)) return false;
  try {
    const publicKey = peerIdFromString(tomb.by).publicKey;
    if (!publicKey) return false;
    return await publicKey.verify(signedBytes(collection, id, tomb, tomb.by), Buffer.from(tomb.sig, 'base64'));
  } catch {
    return false;
  }
}
