import { createHash, randomBytes, scryptSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { z } from 'zod';
import { readJsonFile, writeJsonFileAtomic } from '../jsonFile.js';
import { MeshError } from '../errors.js';
import { BOX_KEY_SCRYPT, FINGERPRINT_HEX } from './constants.js';

/**
 * A host's X25519 box key pair: the key every vault generation is wrapped to. It lives in its own
 * file in the home (mode 0600), apart from the libp2p signing key, so it can be sealed by a
 * passphrase without touching the mesh identity. Sealed: the secret key is `nacl.secretbox`ed
 * under a key derived from the passphrase by scrypt (node:crypto); the salt is stored beside it.
 *
 * A vault member is a host, not a person: one host is one box key, one signing key, one audit
 * chain. A person with two machines is a team (see ARCHITECTURE, Vault), so a grant to the team
 * covers both without two grants.
 */
const B64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/);
export const BoxKeyFileSchema = z.discriminatedUnion('sealed', [
  z.object({ v: z.literal(1), sealed: z.literal(false), publicKey: B64, secretKey: B64 }).strict(),
  z.object({ v: z.literal(1), sealed: z.literal(true), publicKey: B64, salt: B64, nonce: B64, box: B64 }).strict(),
]);
export type BoxKeyFile = z.infer<typeof BoxKeyFileSchema>;

export interface BoxKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

function passphraseKey(passphrase: string, salt: Uint8Array): Uint8Array {
  return new Uint8Array(scryptSync(passphrase.normalize('NFC'), salt, nacl.secretbox.keyLength, BOX_KEY_SCRYPT));
}

export function newBoxKeyPair(): BoxKeyPair {
  return nacl.box.keyPair();
}

/** What is written to the home: the secret key in clear (mode 0600) or sealed by `passphrase`. */
export function boxKeyFile(pair: BoxKeyPair, passphrase?: string): BoxKeyFile {
  if (passphrase === undefined) return { v: 1, sealed: false, publicKey: b64(pair.publicKey), secretKey: b64(pair.secretKey) };
  const salt = randomBytes(16);
  const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
  const box = nacl.secretbox(pair.secretKey, nonce, passphraseKey(passphrase, salt));
  return { v: 1, sealed: true, publicKey: b64(pair.publicKey), salt: b64(salt), nonce: b64(nonce), box: b64(box) };
}

/** The key pair from its file; a sealed file needs the passphrase (BOX_KEY_LOCKED without, BOX_KEY_PASSPHRASE when wrong). */
export function openBoxKeyFile(file: BoxKeyFile, passphrase?: string): BoxKeyPair {
  const publicKey = unb64(file.publicKey);
  let secretKey: Uint8Array;
  if (!file.sealed) secretKey = unb64(file.secretKey);
  else {
    if (passphrase === undefined) throw new MeshError('VAULT_LOCKED', 'the box key is sealed by a passphrase: set MESH_PASSPHRASE or answer the prompt');
    const opened = nacl.secretbox.open(unb64(file.box), unb64(file.nonce), passphraseKey(passphrase, unb64(file.salt)));
    if (!opened) throw new MeshError('VAULT_LOCKED', 'wrong passphrase for the box key');
    secretKey = opened;
  }
  // The public key is derived, not trusted from the file: a swapped public key would wrap vault keys to someone else.
  const derived = nacl.box.keyPair.fromSecretKey(secretKey);
  if (Buffer.compare(Buffer.from(derived.publicKey), Buffer.from(publicKey)) !== 0) {
    throw new MeshError('HOME_INVALID', 'the box key file\'s public key does not match its secret key');
  }
  return derived;
}

export async function writeBoxKeyFile(path: string, file: BoxKeyFile): Promise<void> {
  await writeJsonFileAtomic(path, file); // writeJsonFileAtomic creates files 0600 (owner-only home)
}

export function readBoxKeyFile(path: string): Promise<BoxKeyFile | undefined> {
  return readJsonFile(path, BoxKeyFileSchema, 'move it away to create a new box key (vaults shared to the old one must be shared again)');
}

/** SHA-256 of a public key, hex, grouped by 4 for reading aloud: what `mesh whoami` and invites show. */
export function fingerprint(publicKey: Uint8Array): string {
  const hex = createHash('sha256').update(publicKey).digest('hex').slice(0, FINGERPRINT_HEX);
  return hex.match(/.{4}/g)!.join(':');
}
