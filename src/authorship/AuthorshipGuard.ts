import * as A from '@automerge/automerge';
import type { MemberRecord } from '../mesh/Membership.js';
import type { Collection } from '../types.js';
import type { GuardVerdict, IncomingDocument, IncomingGuard } from '../sync/IncomingGuard.js';
import { actorForPeer } from './actorBinding.js';
import { judgeChange, type AuthorshipContext } from './authorshipRules.js';
import { changeMeta, type ChangeMeta } from './changeMeta.js';
import { documentChanges } from './documentChanges.js';
import { decodeRecords, type SignatureRecord } from './signatureRecords.js';

export interface AuthorshipGuardDeps {
  membership: { get(peer: string): MemberRecord | undefined; list(): [string, MemberRecord][] };
  /** This host's copy of a document, to tell changes it already holds (never judged again). */
  load(collection: Collection, id: string): Promise<A.Doc<unknown> | undefined>;
  /** Whether unsigned legacy changes are still accepted here (see docs/ARCHITECTURE.md, "Authorship"). */
  legacyOpen(): boolean;
}

const actorOfPeer = new Map<string, string>();
function derivedActor(peer: string): string {
  let actor = actorOfPeer.get(peer);
  if (!actor) actorOfPeer.set(peer, (actor = actorForPeer(peer)));
  return actor;
}

/**
 * Checks the author of every change in an incoming document (changes, or a whole saved document)
 * against its signature records (see authorshipRules.ts). A whole document is loaded to list its
 * changes (the document chunk does not hold change hashes; see documentChanges.ts). A change this host already holds is
 * not judged again (it was accepted when it came, possibly as pre-migration history).
 */
export class AuthorshipGuard implements IncomingGuard {
  readonly name = 'authorship';

  constructor(private readonly deps: AuthorshipGuardDeps) {}

  async check(doc: IncomingDocument): Promise<GuardVerdict> {
    const { payload } = doc;
    if (payload.tomb || payload.missing) return { ok: true };
    let records: Map<string, SignatureRecord>;
    let metas: ChangeMeta[];
    try {
      records = decodeRecords(payload.sigs);
      metas = (payload.changes ?? []).map(changeMeta);
      if (payload.full) metas.push(...documentChanges(payload.full));
    } catch (err) {
      return { ok: false, reason: `unreadable changes or signatures: ${(err as Error).message}` };
    }
    const ctx = this.context(doc);
    const judged = await Promise.all(metas.map(async (m) => ({ m, verdict: await judgeChange(m, records.get(m.hash), ctx) })));
    const refused = judged.filter((j) => !j.verdict.ok);
    if (refused.length === 0) return { ok: true };
    // Changes this host already holds were accepted before (possibly as unsigned legacy history): not refused again.
    const own = await this.deps.load(doc.collection, doc.id);
    const left = own ? refused.filter((j) => !A.hasHeads(own, [j.m.hash])) : refused;
    const first = left[0];
    if (!first || first.verdict.ok) return { ok: true };
    const unknown = left.find((j) => !j.verdict.ok && j.verdict.unknownSigner);
    return { ok: false, reason: first.verdict.reason, ...(unknown ? { retryAfterMembership: true } : {}) };
  }

  private context(doc: IncomingDocument): AuthorshipContext {
    const known = new Set(this.deps.membership.list().map(([peer]) => peer));
    // Membership documents: a newcomer knows nobody when the first one arrives, and their entries
    // are signed operations the membership guard checks one by one. Here only the binding of each
    // change's actor to its signer's key counts (no change under another host's actor).
    const membershipDoc = doc.collection === 'mesh';
    return {
      wasMember: (peer) => membershipDoc || known.has(peer),
      memberOfActor: (actor) => [...known].find((peer) => derivedActor(peer) === actor),
      legacyOpen: this.deps.legacyOpen(),
    };
  }
}
