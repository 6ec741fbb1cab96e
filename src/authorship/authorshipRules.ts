import { actorForPeer } from './actorBinding.js';
import type { ChangeMeta } from './changeMeta.js';
import { verifyChangeSignatureAsync } from './changeSignatures.js';
import type { SignatureRecord } from './signatureRecords.js';

/** How a change's author stands: signed by the key its actor is bound to, or unsigned legacy history. */
export type Authorship = { ok: true; signedBy: string } | { ok: true; signedBy: null } | { ok: false; reason: string; unknownSigner?: string };

export interface AuthorshipContext {
  /** Whether `peer` is or was a member (a removed member's past changes stay valid). */
  wasMember(peer: string): boolean;
  /** The member whose peer id this actor is derived from, if any. */
  memberOfActor(actor: string): string | undefined;
  /** Whether unsigned changes by actors bound to no member are still accepted (see docs/ARCHITECTURE.md, "Authorship"). */
  legacyOpen: boolean;
}

/**
 * The rule every replica applies to every change it has not got yet:
 * - signed: the signer's derived actor must be the change's actor (no lookup), the signer must be
 *   or have been a member, and the Ed25519 signature over the change hash must hold;
 * - unsigned: refused when the actor is a member's (nobody but that member writes with it, and it
 *   signs everything), otherwise accepted only as legacy history while the legacy window is open.
 * The signature is checked off the main thread (see verifyChangeSignatureAsync).
 */
export async function judgeChange(meta: ChangeMeta, record: SignatureRecord | undefined, ctx: AuthorshipContext): Promise<Authorship> {
  if (record) {
    if (actorForPeer(record.by) !== meta.actor) {
      const owner = ctx.memberOfActor(meta.actor);
      return { ok: false, reason: owner ? `change ${meta.hash.slice(0, 12)} claims the actor of ${owner} but is signed by ${record.by}` : `change ${meta.hash.slice(0, 12)} is signed by ${record.by}, whose actor is not the change's` };
    }
    if (!ctx.wasMember(record.by)) return { ok: false, reason: `change ${meta.hash.slice(0, 12)} is signed by ${record.by}, not a member`, unknownSigner: record.by };
    if (!(await verifyChangeSignatureAsync(record.by, meta.hash, record.sig))) return { ok: false, reason: `change ${meta.hash.slice(0, 12)} has a bad signature` };
    return { ok: true, signedBy: record.by };
  }
  const owner = ctx.memberOfActor(meta.actor);
  if (owner) return { ok: false, reason: `unsigned change ${meta.hash.slice(0, 12)} claims the actor of ${owner}` };
  if (!ctx.legacyOpen) return { ok: false, reason: `unsigned change ${meta.hash.slice(0, 12)} after the legacy window closed` };
  return { ok: true, signedBy: null };
}
