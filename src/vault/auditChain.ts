import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, verifyJson, type Signer } from '../trust/signing.js';
import { VAULT_AUDIT_DOMAIN } from './constants.js';

/**
 * The vault audit log: one hash-chained, signed chain per host (the author of its entries), so
 * concurrent hosts never fork a chain. Entry n names its position and the hash of entry n-1;
 * the signature covers both. Every replica verifies every chain: a changed entry breaks its
 * signature (forged), a swapped pair breaks positions and links (reordered), a missing middle
 * entry leaves a gap (dropped), and a chain shorter than the head this replica saw before is
 * truncated. Entries hold the secret's name and the reason, never a value.
 */
const PeerId = z.string().regex(/^12D3Koo[1-9A-HJ-NP-Za-km-z]{40,60}$/);
export const AuditEntrySchema = z
  .object({
    v: z.literal(1),
    host: PeerId,
    seq: z.number().int().nonnegative(),
    prev: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    actor: z.string().min(1).max(200),
    action: z.enum(['create', 'read', 'write', 'delete', 'share', 'revoke', 'rotate']),
    vault: z.string().min(1).max(100),
    secret: z.string().max(200).nullable(),
    reason: z.string().max(500).nullable(),
    at: z.number().int().nonnegative(),
  })
  .strict();
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const SignedAuditEntrySchema = z.object({ entry: AuditEntrySchema, sig: z.string().min(1).max(200) }).strict();
export type SignedAuditEntry = z.infer<typeof SignedAuditEntrySchema>;

export type AuditBody = Omit<AuditEntry, 'v' | 'host' | 'seq' | 'prev'>;

export function auditEntryHash(signed: SignedAuditEntry): string {
  return createHash('sha256').update(canonicalJson(signed)).digest('hex');
}

/** The next entry of `signer`'s chain after `last` (null for the first). */
export async function appendAudit(signer: Signer, last: SignedAuditEntry | null, body: AuditBody): Promise<SignedAuditEntry> {
  const entry = AuditEntrySchema.parse({ ...body, v: 1, host: signer.peerId, seq: last ? last.entry.seq + 1 : 0, prev: last ? auditEntryHash(last) : null });
  return { entry, sig: await signer.signJson(VAULT_AUDIT_DOMAIN, entry) };
}

export type AuditProblem = { host: string; position: number; problem: 'forged' | 'reordered' | 'dropped' | 'truncated' | 'malformed' | 'foreign' };

/**
 * Verifies `host`'s chain as stored (array order is storage order). `knownHead` is the highest
 * position this replica accepted before: a chain ending below it was truncated.
 */
export async function verifyAuditChain(host: string, stored: readonly unknown[], knownHead?: number): Promise<AuditProblem[]> {
  const problems: AuditProblem[] = [];
  let prevHash: string | null = null;
  let expected = 0;
  // Positions stored anywhere: a gap whose entry sits later in storage is a reorder, not a drop.
  const present = new Set(stored.map((raw) => SignedAuditEntrySchema.safeParse(raw)).flatMap((p) => (p.success ? [p.data.entry.seq] : [])));
  for (let i = 0; i < stored.length; i += 1) {
    const parsed = SignedAuditEntrySchema.safeParse(stored[i]);
    if (!parsed.success) {
      problems.push({ host, position: i, problem: 'malformed' });
      prevHash = null;
      expected = i + 1;
      continue;
    }
    const signed = parsed.data;
    const { entry } = signed;
    if (entry.host !== host) problems.push({ host, position: i, problem: 'foreign' });
    else if (!(await verifyJson(host, VAULT_AUDIT_DOMAIN, entry, signed.sig))) problems.push({ host, position: entry.seq, problem: 'forged' });
    else if (entry.seq > expected) problems.push({ host, position: expected, problem: present.has(expected) ? 'reordered' : 'dropped' });
    else if (entry.seq < expected || entry.prev !== prevHash) problems.push({ host, position: entry.seq, problem: 'reordered' });
    expected = entry.seq + 1;
    prevHash = auditEntryHash(signed);
  }
  if (knownHead !== undefined && expected - 1 < knownHead) problems.push({ host, position: expected, problem: 'truncated' });
  return problems;
}
