import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Signer, verifyJson } from '../../trust/signing.js';

/**
 * What the author of a config distribution signs with its host key (domain `config-distribution/1`).
 * The file's text is the memory's content and is bound by its SHA-256, so an edit of the document
 * by any other member (who can write it: members are trusted with documents, not authorship)
 * breaks the signature check on every target. A random id and an expiry make each signature good
 * for one application within a day: a copy of an old payload cannot roll a file back.
 */
export const DISTRIBUTION_DOMAIN = 'config-distribution/1';
export const OUTCOME_DOMAIN = 'config-outcome/1';

export const DistributionPayload = z
  .object({
    v: z.literal(1),
    nonce: z.string().min(8).max(100),
    flavour: z.enum(['ssh', 'infrastructure']),
    targets: z.array(z.string().min(1).max(200)).min(1).max(100),
    path: z.string().min(1).max(500),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    dry_run: z.boolean(),
    author: z.string().min(1).max(200),
    created_at: z.string().max(40),
    expires_at: z.string().max(40),
  })
  .strict();
export type DistributionPayload = z.infer<typeof DistributionPayload>;

export const OUTCOME_STATUSES = ['applied', 'refused', 'failed', 'would_apply'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** One target's report, written into the distribution document under `outcome:<host>`. */
export const Outcome = z
  .object({
    nonce: z.string().max(100),
    host: z.string().max(200),
    peer: z.string().max(200),
    status: z.enum(OUTCOME_STATUSES),
    reason: z.string().max(1_000),
    at: z.string().max(40),
    /** Where the previous file was kept (applied), or null. */
    backup: z.string().max(1_100).nullable(),
    /** Dry run: the diff from the target's current file (secrets redacted, cut to a bound). */
    diff: z.string().max(5_000).nullable(),
    signature: z.string().max(200),
  })
  .strict();
export type Outcome = z.infer<typeof Outcome>;
export type UnsignedOutcome = Omit<Outcome, 'signature'>;

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export function signPayload(signer: Signer, payload: DistributionPayload): Promise<string> {
  return signer.signJson(DISTRIBUTION_DOMAIN, payload);
}

export function verifyPayload(payload: DistributionPayload, signature: string): Promise<boolean> {
  return verifyJson(payload.author, DISTRIBUTION_DOMAIN, payload, signature);
}

export async function signOutcome(signer: Signer, outcome: UnsignedOutcome): Promise<Outcome> {
  return { ...outcome, signature: await signer.signJson(OUTCOME_DOMAIN, outcome) };
}

export function verifyOutcome(outcome: Outcome): Promise<boolean> {
  const { signature, ...unsigned } = outcome;
  return verifyJson(outcome.peer, OUTCOME_DOMAIN, unsigned, signature);
}
