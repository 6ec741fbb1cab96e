import type { PrivateKey, PublicKey } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';

/**
 * Signatures made with a host's libp2p Ed25519 key. A peer id *is* its public key, so a
 * signature names its own verifier: nothing else has to be distributed or trusted to check it.
 *
 * Every signature covers `hivemesh/<domain>\n` followed by the payload, so bytes signed for one
 * purpose (a membership operation) can never be replayed as another (a change signature, a
 * tombstone, a vault entry). Domains are versioned strings owned by their module, e.g.
 * `membership-op/1`, `change/1`. JSON payloads are encoded canonically (sorted keys, no
 * whitespace) so the signer and every verifier compute the same bytes from the same value.
 */

/** A JSON value a signature can cover: no undefined, functions, NaN or Infinity. */
export type SignableJson = string | number | boolean | null | SignableJson[] | { [key: string]: SignableJson };

const DOMAIN_PATTERN = /^[a-z][a-z0-9-]*\/[0-9]+$/;

function domainPrefix(domain: string): Uint8Array {
  if (!DOMAIN_PATTERN.test(domain)) throw new Error(`signature domain must look like "name/1": ${domain}`);
  return new TextEncoder().encode(`hivemesh/${domain}\n`);
}

/** JSON with object keys sorted at every level and no whitespace; throws on values JSON cannot carry exactly. */
export function canonicalJson(value: SignableJson): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value !== 'object') throw new Error(`canonicalJson: cannot encode ${typeof value}`);
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const v = value[key];
    if (v === undefined) throw new Error(`canonicalJson: undefined at key ${key}`);
    parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** The exact bytes signed for raw `bytes` in `domain` (e.g. an Automerge change hash). */
export function signedBytes(domain: string, bytes: Uint8Array): Uint8Array {
  const prefix = domainPrefix(domain);
  const out = new Uint8Array(prefix.length + bytes.length);
  out.set(prefix, 0);
  out.set(bytes, prefix.length);
  return out;
}

/** The exact bytes signed for a JSON payload in `domain`. */
export function signedJsonBytes(domain: string, payload: SignableJson): Uint8Array {
  return signedBytes(domain, new TextEncoder().encode(canonicalJson(payload)));
}

/** Something that signs as one peer: the daemon's key, or a test's. */
export interface Signer {
  /** The signer's peer id (12D3Koo…), which is also its public key. */
  readonly peerId: string;
  signBytes(domain: string, bytes: Uint8Array): Promise<string>;
  signJson(domain: string, payload: SignableJson): Promise<string>;
}

/** Signatures are base64 strings so they fit JSON and Automerge documents. */
export function signerFromKey(key: PrivateKey, peerId: string): Signer {
  const sign = async (bytes: Uint8Array): Promise<string> => Buffer.from(await key.sign(bytes)).toString('base64');
  return {
    peerId,
    signBytes: async (domain, bytes) => sign(signedBytes(domain, bytes)),
    signJson: async (domain, payload) => sign(signedJsonBytes(domain, payload)),
  };
}

/**
 * Public keys parsed from peer ids, kept because parsing costs more than the verify on hot paths
 * (every change of a bulk sync). Bounded: a hostile stream of made-up ids cannot grow it forever.
 */
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, PublicKey | null>();

function publicKeyOf(peerId: string): PublicKey | null {
  const cached = keyCache.get(peerId);
  if (cached !== undefined) return cached;
  let key: PublicKey | null = null;
  try {
    const parsed = peerIdFromString(peerId);
    key = parsed.type === 'Ed25519' && parsed.publicKey ? parsed.publicKey : null;
  } catch {
    key = null;
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(peerId, key);
  return key;
}

async function verify(peerId: string, bytes: Uint8Array, sig: string): Promise<boolean> {
  if (typeof sig !== 'string' || sig.length === 0 || sig.length > 200) return false;
  const key = publicKeyOf(peerId);
  if (!key) return false;
  try {
    return await key.verify(bytes, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/** True when `sig` is `peerId`'s signature over `bytes` in `domain`. Never throws. */
export function verifyBytes(peerId: string, domain: string, bytes: Uint8Array, sig: string): Promise<boolean> {
  return verify(peerId, signedBytes(domain, bytes), sig);
}

/** True when `sig` is `peerId`'s signature over `payload` in `domain`. Never throws (a payload that cannot be encoded is false). */
export function verifyJson(peerId: string, domain: string, payload: SignableJson, sig: string): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = signedJsonBytes(domain, payload);
  } catch {
    return Promise.resolve(false);
  }
  return verify(peerId, bytes, sig);
}
