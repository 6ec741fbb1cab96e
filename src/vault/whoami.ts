import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { MeshError } from '../errors.js';
import type { HomePaths } from '../home.js';
import { readIdentity } from '../identity/HostIdentity.js';
import { boxKeyFile, fingerprint, newBoxKeyPair, readBoxKeyFile, writeBoxKeyFile, type BoxKeyFile } from './boxKeys.js';

/**
 * This home's box key file, created on first use (sealed when a passphrase is given then). The
 * secret key is never returned here: whoami and publication need only the public half.
 */
export async function ensureBoxKeyFile(paths: HomePaths, passphrase?: string): Promise<BoxKeyFile> {
  const existing = await readBoxKeyFile(paths.boxKey);
  if (existing) return existing;
  const file = boxKeyFile(newBoxKeyPair(), passphrase);
  await writeBoxKeyFile(paths.boxKey, file);
  return file;
}

export interface WhoAmI {
  name: string;
  peer_id: string;
  signing_fingerprint: string;
  box_public_key: string;
  box_fingerprint: string;
  box_key_sealed: boolean;
}

/** What `mesh whoami` shows: the host's two public keys and their fingerprints (to compare aloud with an invite's). */
export async function whoAmI(paths: HomePaths, passphrase?: string): Promise<WhoAmI> {
  const identity = await readIdentity(paths.identity);
  if (!identity?.p2pKey) throw new MeshError('HOME_INVALID', 'this home has no identity yet; run `mesh init`');
  const key = privateKeyFromProtobuf(Buffer.from(identity.p2pKey, 'base64'));
  const box = await ensureBoxKeyFile(paths, passphrase);
  const boxPublic = new Uint8Array(Buffer.from(box.publicKey, 'base64'));
  return {
    name: identity.name,
    peer_id: peerIdFromPrivateKey(key).toString(),
    signing_fingerprint: fingerprint(key.publicKey.raw),
    box_public_key: box.publicKey,
    box_fingerprint: fingerprint(boxPublic),
    box_key_sealed: box.sealed,
  };
}
