import { createHash } from 'node:crypto';
import { z } from 'zod';
import { signedJsonBytes, verifyJson, type Signer } from '../trust/signing.js';
import { VAULT_OP_DOMAIN } from './constants.js';

/**
 * Vault rights operations, signed by their author's libp2p key with the same primitive as the
 * membership operations (trust/signing.ts), in their own signature domain. The replicated vault
 * document stores them; whether each one takes effect is decided by `foldVaultRights`, the same
 * on every replica, because the connection that delivered an operation says nothing about who
 * wrote it.
 */
const PeerId = z.string().regex(/^12D3Koo[1-9A-HJ-NP-Za-km-z]{40,60}$/, 'a libp2p Ed25519 peer id');
const OpId = z.string().regex(/^[0-9a-f]{64}$/);
export const AccessLevel = z.enum(['read', 'write', 'admin']);
export type AccessLevel = z.infer<typeof AccessLevel>;

const Common = { v: z.literal(1), vault: z.string().min(1).max(100), by: PeerId, at: z.number().int().nonnegative() };

export const VaultOpSchema = z.discriminatedUnion('kind', [
  /** The vault's creator: its first admin. */
  z.object({ ...Common, kind: z.literal('create') }).strict(),
  /**
   * An admin grants `peer` a level, optionally until `expires` (ms). `overrides` names the
   * revocations of `peer` the granter had seen and means to undo; a revocation it does not name
   * wins (a concurrent grant never silently re-admits a revoked member).
   */
  z.object({ ...Common, kind: z.literal('grant'), peer: PeerId, level: AccessLevel, expires: z.number().int().positive().optional(), overrides: z.array(OpId).max(64) }).strict(),
  /** An admin revokes `peer`; `ends` names the grants to `peer` the revoker had seen (a grant it does not name is concurrent and loses). */
  z.object({ ...Common, kind: z.literal('revoke'), peer: PeerId, ends: z.array(OpId).max(64) }).strict(),
  /** A write of a secret (or its deletion): `digest` is the SHA-256 of the sealed value as stored, never of the plaintext. */
  z.object({ ...Common, kind: z.literal('write'), name: z.string().min(1).max(200), digest: z.string().regex(/^[0-9a-f]{64}$/).nullable() }).strict(),
]);
export type VaultOp = z.infer<typeof VaultOpSchema>;
export const SignedVaultOpSchema = z.object({ op: VaultOpSchema, sig: z.string().min(1).max(200) }).strict();
export type SignedVaultOp = z.infer<typeof SignedVaultOpSchema>;

export type VaultOpBody = VaultOp extends infer T ? (T extends VaultOp ? Omit<T, 'v' | 'vault' | 'by' | 'at'> : never) : never;

export function vaultOpId(op: VaultOp): string {
  return createHash('sha256').update(signedJsonBytes(VAULT_OP_DOMAIN, op)).digest('hex');
}

export async function signVaultOp(signer: Signer, vault: string, body: VaultOpBody, at = Date.now()): Promise<{ id: string; entry: SignedVaultOp }> {
  const op = VaultOpSchema.parse(JSON.parse(JSON.stringify({ ...body, v: 1, vault, by: signer.peerId, at })));
  return { id: vaultOpId(op), entry: { op, sig: await signer.signJson(VAULT_OP_DOMAIN, op) } };
}

/** Well formed and signed by the author it names; whether the author had the right is the fold's question. */
export async function checkVaultOp(raw: unknown): Promise<{ ok: true; id: string; entry: SignedVaultOp } | { ok: false; reason: string }> {
  const parsed = SignedVaultOpSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'malformed vault operation' };
  const { op, sig } = parsed.data;
  if (!(await verifyJson(op.by, VAULT_OP_DOMAIN, op, sig))) return { ok: false, reason: `bad signature for ${op.by}` };
  return { ok: true, id: vaultOpId(op), entry: parsed.data };
}
