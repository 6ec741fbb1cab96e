import nacl from 'tweetnacl';
import { MeshError } from '../errors.js';
import { MAX_SECRET_BYTES } from './constants.js';

/**
 * Vault keys by generation. Each generation of a vault has one random 32-byte key; every secret
 * value is `nacl.secretbox`ed under the current generation's key with a fresh nonce. The key is
 * wrapped for each member's X25519 box key with `nacl.box` from a one-use ephemeral key pair (so
 * a wrap names no sender and a member cannot forge one that looks like it came from another).
 * Revoking a member (or removing it from the mesh) makes the next generation: new key, every
 * current value re-sealed under it, wrapped for the remaining members only. A removed member
 * keeps whatever it could open before (old generations' keys, old ciphertexts) and can open
 * nothing sealed afterwards.
 */
export interface Wrap {
  /** Ephemeral X25519 public key, base64. */
  epk: string;
  nonce: string;
  box: string;
}

export interface Generation {
  gen: number;
  /** Wraps of this generation's key, by member id (peer id). */
  wraps: Record<string, Wrap>;
}

export interface SealedValue {
  gen: number;
  nonce: string;
  box: string;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export function wrapKey(key: Uint8Array, memberBoxPublic: Uint8Array): Wrap {
  const eph = nacl.box.keyPair();
  const nonce = nacl.randomBytes(nacl.box.nonceLength);
  const box = nacl.box(key, nonce, memberBoxPublic, eph.secretKey);
  eph.secretKey.fill(0);
  return { epk: b64(eph.publicKey), nonce: b64(nonce), box: b64(box) };
}

/** This member's copy of a generation key, or null when the wrap is not for its key (or was tampered with). */
export function unwrapKey(wrap: Wrap, boxSecret: Uint8Array): Uint8Array | null {
  const key = nacl.box.open(unb64(wrap.box), unb64(wrap.nonce), unb64(wrap.epk), boxSecret);
  return key && key.length === nacl.secretbox.keyLength ? key : null;
}

/** A new generation `gen`: a fresh key wrapped for exactly `members` (peer id → box public key). */
export function newGeneration(gen: number, members: ReadonlyMap<string, Uint8Array>): { generation: Generation; key: Uint8Array } {
  const key = nacl.randomBytes(nacl.secretbox.keyLength);
  const wraps: Record<string, Wrap> = {};
  for (const [member, pub] of members) wraps[member] = wrapKey(key, pub);
  return { generation: { gen, wraps }, key };
}

/** The generation key for `member`; VAULT_LOCKED when the generation was not wrapped for it. */
export function openGeneration(generation: Generation, member: string, boxSecret: Uint8Array): Uint8Array {
  const wrap = Object.hasOwn(generation.wraps, member) ? generation.wraps[member] : undefined;
  const key = wrap ? unwrapKey(wrap, boxSecret) : null;
  if (!key) throw new MeshError('VAULT_LOCKED', `generation ${generation.gen} of this vault is not shared with this host`);
  return key;
}

export function sealValue(gen: number, key: Uint8Array, plaintext: Uint8Array): SealedValue {
  if (plaintext.length > MAX_SECRET_BYTES) throw new MeshError('CONTENT_TOO_LARGE', `a secret is at most ${MAX_SECRET_BYTES} bytes`);
  const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
  return { gen, nonce: b64(nonce), box: b64(nacl.secretbox(plaintext, nonce, key)) };
}

/** The plaintext, or VAULT_LOCKED when `key` is not the key of the value's generation. The error never carries the value. */
export function openValue(value: SealedValue, key: Uint8Array): Uint8Array {
  const opened = nacl.secretbox.open(unb64(value.box), unb64(value.nonce), key);
  if (!opened) throw new MeshError('VAULT_LOCKED', `a value of generation ${value.gen} does not open with this key`);
  return opened;
}

/**
 * Revoke-and-rotate: generation `current.gen + 1` wrapped for `remaining` only, and every value
 * re-sealed under it. Plaintexts exist only inside this call and are zeroed after use.
 */
export function rotate(
  currentKey: Uint8Array,
  current: Generation,
  values: ReadonlyMap<string, SealedValue>,
  remaining: ReadonlyMap<string, Uint8Array>,
): { generation: Generation; key: Uint8Array; values: Map<string, SealedValue> } {
  const { generation, key } = newGeneration(current.gen + 1, remaining);
  const out = new Map<string, SealedValue>();
  for (const [name, value] of values) {
    const plain = openValue(value, currentKey);
    out.set(name, sealValue(generation.gen, key, plain));
    plain.fill(0);
  }
  return { generation, key, values: out };
}
