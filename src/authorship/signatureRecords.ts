/**
 * The signatures of a document's changes, kept beside it (one value per document) and sent with
 * it, so relays pass them on. Binary, because it travels with every replicated write:
 * per record 32 bytes of change hash, 64 of Ed25519 signature, one length byte and the signer's
 * peer id (UTF-8), ~150 bytes.
 */
export interface SignatureRecord {
  hash: string;
  by: string;
  sig: Uint8Array;
}

const HASH_BYTES = 32;
const SIG_BYTES = 64;
const MAX_PEER_BYTES = 128;

export function encodeRecords(records: Iterable<SignatureRecord>): Uint8Array {
  const parts: Buffer[] = [];
  for (const r of records) {
    const by = Buffer.from(r.by, 'utf8');
    if (by.byteLength > MAX_PEER_BYTES || r.sig.byteLength !== SIG_BYTES) throw new RangeError('bad signature record');
    parts.push(Buffer.from(r.hash, 'hex'), Buffer.from(r.sig), Buffer.from([by.byteLength]), by);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** Decodes records; throws on a malformed blob (a peer's blob is validated before use). */
export function decodeRecords(blob: Uint8Array | undefined): Map<string, SignatureRecord> {
  const out = new Map<string, SignatureRecord>();
  if (!blob) return out;
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  let at = 0;
  while (at < buf.byteLength) {
    if (at + HASH_BYTES + SIG_BYTES + 1 > buf.byteLength) throw new RangeError('signature records cut short');
    const hash = buf.toString('hex', at, at + HASH_BYTES);
    const sig = new Uint8Array(buf.subarray(at + HASH_BYTES, at + HASH_BYTES + SIG_BYTES));
    const len = buf[at + HASH_BYTES + SIG_BYTES]!;
    const start = at + HASH_BYTES + SIG_BYTES + 1;
    if (start + len > buf.byteLength) throw new RangeError('signature records cut short');
    out.set(hash, { hash, sig, by: buf.toString('utf8', start, start + len) });
    at = start + len;
  }
  return out;
}

/** `base` plus `added`, one record per change hash (the first kept). */
export function mergeRecords(base: Uint8Array | undefined, added: Uint8Array | undefined): Uint8Array | undefined {
  if (!added?.byteLength) return base;
  if (!base?.byteLength) return added;
  const merged = decodeRecords(base);
  for (const [hash, r] of decodeRecords(added)) if (!merged.has(hash)) merged.set(hash, r);
  return encodeRecords(merged.values());
}

/** Only the records of `hashes` (what goes with a reply carrying some of a document's changes). */
export function selectRecords(blob: Uint8Array | undefined, hashes: Iterable<string>): Uint8Array | undefined {
  if (!blob?.byteLength) return undefined;
  const all = decodeRecords(blob);
  const picked: SignatureRecord[] = [];
  for (const h of hashes) {
    const r = all.get(h);
    if (r) picked.push(r);
  }
  return picked.length ? encodeRecords(picked) : undefined;
}
