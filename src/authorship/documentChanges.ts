import { createHash } from 'node:crypto';
import * as A from '@automerge/automerge';
import type { ChangeMeta } from './changeMeta.js';

const MAGIC = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT_CHUNK = 0;
const CHANGE_CHUNK = 1;
const COMPRESSED_CHANGE_CHUNK = 2;

/** The backend of an empty document, cloned for each listing (a bare clone builds no JavaScript view). */
let emptyBackend: ReturnType<typeof A.getBackend> | undefined;

/**
 * The changes of a whole saved document (what an initial sync imports), as authorship needs them.
 * A saved document holds no change hashes, so its changes are rebuilt by loading it, but not with
 * `A.load`: that also builds the document's JavaScript view (~40% of its cost for a memory) and
 * leaves the WebAssembly document to a finaliser, so 10,000 imports piled up as many live
 * documents and each load got slower than the last (issue 11, the authorship import cost). Here
 * a bare backend loads the bytes and is freed at once.
 *
 * The bare load is lenient where `A.load` is strict, so what it would let through is refused here:
 * - bytes that are not whole, checksummed chunks end to end (it ignores what follows a bad one);
 * - changes whose history is missing: queued, not listed, never judged, they would apply later on
 *   whichever host receives their dependencies (`A.load` queues them silently too).
 * Throws a RangeError on either.
 */
export function documentChanges(bytes: Uint8Array): ChangeMeta[] {
  checkChunks(bytes);
  emptyBackend ??= A.getBackend(A.init());
  const backend = emptyBackend.clone();
  try {
    backend.loadIncremental(bytes);
    if (backend.getMissingDeps([]).length > 0) throw new RangeError('the document holds changes whose history is missing');
    return backend.getChangesMeta([]).map((m) => ({ hash: m.hash, actor: m.actor, seq: m.seq, time: m.time }));
  } finally {
    backend.free();
  }
}

/** Every byte belongs to a chunk with Automerge's header; documents and changes carry a valid checksum. */
function checkChunks(bytes: Uint8Array): void {
  let at = 0;
  if (bytes.byteLength === 0) throw new RangeError('empty document');
  while (at < bytes.byteLength) {
    for (const b of MAGIC) if (bytes[at++] !== b) throw new RangeError('not an Automerge chunk');
    const checksum = bytes.subarray(at, at + 4);
    at += 4;
    const typeAt = at;
    const type = bytes[at++];
    let length = 0;
    let shift = 1;
    for (let i = 0; ; i++) {
      if (i === 8 || at >= bytes.byteLength) throw new RangeError('chunk header cut short');
      const b = bytes[at++]!;
      length += (b & 0x7f) * shift;
      shift *= 128;
      if ((b & 0x80) === 0) break;
    }
    const end = at + length;
    if (end > bytes.byteLength) throw new RangeError('chunk cut short');
    if (type === DOCUMENT_CHUNK || type === CHANGE_CHUNK) {
      // Automerge's checksum: the first 4 bytes of SHA-256 over type, length and contents.
      const sum = createHash('sha256').update(bytes.subarray(typeAt, end)).digest();
      if (!sum.subarray(0, 4).equals(checksum)) throw new RangeError('chunk checksum does not match');
    } else if (type !== COMPRESSED_CHANGE_CHUNK) throw new RangeError(`unknown chunk type ${String(type)}`);
    at = end;
  }
}
