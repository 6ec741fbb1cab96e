import nacl from 'tweetnacl';
import { z } from 'zod';
import { MeshError } from '../errors.js';
import { MAX_SECRET_BYTES } from './constants.js';
import type { Sealed, SealedEntry } from './vaultOps.js';

/**
 * A secret as stored: its value and its metadata (kind, url, username, notes, expiry), each a
 * `nacl.secretbox` under a generation key with its own fresh nonce. Only the name is in clear
 * (the operations need it); everything a member typed about the secret is sealed.
 */
export const SecretMetaSchema = z.object({
  kind: z.string().max(40),
  url: z.string().max(2000).nullable(),
  username: z.string().max(200).nullable(),
  notes: z.string().max(4000).nullable(),
  expires_at: z.string().max(40).nullable(),
  updated_at: z.string().max(40).nullable(),
  updated_by: z.string().max(200).nullable(),
  machine: z.string().max(200).nullable(),
});
export type SecretMeta = z.infer<typeof SecretMetaSchema>;

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

function seal(key: Uint8Array, plain: Uint8Array): Sealed {
  const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
  return { nonce: b64(nonce), box: b64(nacl.secretbox(plain, nonce, key)) };
}

function open(key: Uint8Array, sealed: Sealed): Uint8Array {
  const plain = nacl.secretbox.open(unb64(sealed.box), unb64(sealed.nonce), key);
  // The error names neither the value nor the key.
  if (!plain) throw new MeshError('VAULT_LOCKED', 'a sealed secret does not open with its generation key (tampered with, or sealed under another key)');
  return plain;
}

export function sealEntry(key: Uint8Array, value: string, meta: SecretMeta): SealedEntry {
  const plain = Buffer.from(value, 'utf8');
  if (plain.length > MAX_SECRET_BYTES) throw new MeshError('CONTENT_TOO_LARGE', `a secret is at most ${MAX_SECRET_BYTES} bytes`);
  try {
    return { value: seal(key, plain), meta: seal(key, Buffer.from(JSON.stringify(meta), 'utf8')) };
  } finally {
    plain.fill(0);
  }
}

export function openEntry(key: Uint8Array, entry: SealedEntry, opts: { metaOnly?: boolean } = {}): { value: string; meta: SecretMeta } {
  const metaBytes = open(key, entry.meta);
  const meta = SecretMetaSchema.parse(JSON.parse(Buffer.from(metaBytes).toString('utf8')));
  if (opts.metaOnly) return { value: '', meta };
  const plain = open(key, entry.value);
  try {
    return { value: Buffer.from(plain).toString('utf8'), meta };
  } finally {
    plain.fill(0);
  }
}
