import { createHash } from 'node:crypto';

/** Every Automerge chunk starts with these bytes (Automerge binary format). */
const MAGIC = [0x85, 0x6f, 0x4a, 0x83];
/** Chunk types: document, change, compressed change (whose checksum is over the uncompressed form). */
const COMPRESSED_CHANGE = 2;

/**
 * Checks the chunks a stored document is made of (a saved document, possibly followed by appended
 * change chunks) against their own checksums: the first 4 bytes of SHA-256 over the chunk type,
 * length and contents. Cheap (a hash per chunk) where loading costs ~1 ms per document, so a
 * whole store can be verified at start. A compressed change chunk's checksum covers its
 * uncompressed form and is not checked here. True when every chunk is whole and matches.
 */
export function automergeChunksValid(bytes: Uint8Array): boolean {
  let at = 0;
  if (bytes.byteLength === 0) return false;
  while (at < bytes.byteLength) {
    if (at + 9 > bytes.byteLength) return false;
    for (let i = 0; i < 4; i++) if (bytes[at + i] !== MAGIC[i]) return false;
    const checksum = bytes.subarray(at + 4, at + 8);
    const typeAt = at + 8;
    const type = bytes[typeAt]!;
    let length = 0;
    let shift = 0;
    let p = typeAt + 1;
    for (;;) {
      if (p >= bytes.byteLength || shift > 35) return false;
      const b = bytes[p++]!;
      length += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    const end = p + length;
    if (end > bytes.byteLength) return false;
    if (type !== COMPRESSED_CHANGE) {
      const digest = createHash('sha256').update(bytes.subarray(typeAt, end)).digest();
      for (let i = 0; i < 4; i++) if (digest[i] !== checksum[i]) return false;
    }
    at = end;
  }
  return true;
}
