import { changeMeta } from './changeMeta.js';
import { selectRecords } from './signatureRecords.js';

/** The `sigs` field of a reply carrying some of a document's changes: the records of exactly those. */
export function signaturesFor(stored: Uint8Array | undefined, changes: readonly Uint8Array[]): { sigs?: Uint8Array } {
  if (!stored?.byteLength || changes.length === 0) return {};
  const sigs = selectRecords(
    stored,
    changes.map((c) => changeMeta(c).hash),
  );
  return sigs ? { sigs } : {};
}
