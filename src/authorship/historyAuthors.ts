import type { HistoryEntry } from '../store/changeHistory.js';
import { actorForPeer } from './actorBinding.js';
import { verifyChangeSignature } from './changeSignatures.js';
import { decodeRecords } from './signatureRecords.js';

/**
 * Who made a change, as far as this host can prove: `verified` names the member whose key signed
 * it (and whose actor it carries); `unsigned` is legacy history, authored by whoever held the
 * actor; `invalid` is a signature that does not hold (never accepted by replication, but a
 * store written by other means may hold one).
 */
export type ChangeAuthor = { status: 'verified'; peer: string; host: string | null } | { status: 'unsigned' } | { status: 'invalid'; reason: string };

export interface AttributedEntry extends HistoryEntry {
  author: ChangeAuthor;
  /** The change's own `machine` field is a claim; true when it differs from the verified host's name. */
  claim_mismatch: boolean;
}

export function attributeHistory(entries: HistoryEntry[], sigs: Uint8Array | undefined, hostName: (peer: string) => string | undefined): AttributedEntry[] {
  let records: ReturnType<typeof decodeRecords>;
  try {
    records = decodeRecords(sigs);
  } catch {
    records = new Map();
  }
  return entries.map((e) => {
    const record = records.get(e.hash);
    let author: ChangeAuthor;
    if (!record) author = { status: 'unsigned' };
    else if (actorForPeer(record.by) !== e.actor) author = { status: 'invalid', reason: `signed by ${record.by}, whose actor is not this change's` };
    else if (!verifyChangeSignature(record.by, e.hash, record.sig)) author = { status: 'invalid', reason: 'bad signature' };
    else author = { status: 'verified', peer: record.by, host: hostName(record.by) ?? null };
    const mismatch = author.status === 'verified' && e.machine !== null && author.host !== null && e.machine !== author.host;
    return { ...e, author, claim_mismatch: mismatch };
  });
}
