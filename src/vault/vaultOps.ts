import { createHash } from 'node:crypto';
import { z } from 'zod';
import { signedJsonBytes, verifyJson, type Signer } from '../trust/signing.js';
import { MAX_SEALED_B64, MAX_SECRETS_PER_VAULT, MAX_VAULT_MEMBERS, VAULT_OP_DOMAIN } from './constants.js';

/**
 * Vault operations, signed by their author's libp2p key with the same primitive as the
 * membership operations (trust/signing.ts), in their own signature domain. The replicated vault
 * document stores them, one immutable string per operation under its id; whether each one takes
 * effect is decided by `foldVaultRights`, the same on every replica, because the connection that
 * delivered an operation says nothing about who wrote it.
 *
 * Every operation names its author's previous operation in this vault (`prev`): an author's
 * operations form a chain, so a revocation can name the last one it saw (`head`) and an
 * operation the revoked host signs afterwards (even backdated) is not on that chain.
 */
export const PeerIdSchema = z.string().regex(/^12D3Koo[1-9A-HJ-NP-Za-km-z]{40,60}$/, 'a libp2p Ed25519 peer id');
const OpId = z.string().regex(/^[0-9a-f]{64}$/);
const B64 = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9+/]*={0,2}$/);
export const AccessLevel = z.enum(['read', 'write', 'admin']);
export type AccessLevel = z.infer<typeof AccessLevel>;
export const VaultType = z.enum(['personal', 'team', 'project', 'shared']);
export type VaultType = z.infer<typeof VaultType>;
export const VaultNameSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore');
export const SecretNameSchema = z.string().min(1).max(200).refine((name) => !/\s/.test(name) && [...name].every((ch) => ch.charCodeAt(0) >= 0x20), 'no spaces or control characters');

/** A generation key wrapped for one member's box key (nacl.box from a one-use ephemeral key). */
export const WrapSchema = z.object({ epk: B64(64), nonce: B64(64), box: B64(128) }).strict();
/** A `nacl.secretbox` under a generation key: a value, or its metadata (JSON). */
export const SealedSchema = z.object({ nonce: B64(64), box: B64(MAX_SEALED_B64) }).strict();
export type Sealed = z.infer<typeof SealedSchema>;
/** One secret as a generation re-seals it: its value and its metadata, both under that generation's key. */
export const SealedEntrySchema = z.object({ value: SealedSchema, meta: SealedSchema }).strict();
export type SealedEntry = z.infer<typeof SealedEntrySchema>;

const bounded = <T extends z.ZodType>(schema: T, max: number) => schema.refine((r) => Object.keys(r as object).length <= max, `at most ${max} entries`);

const Common = { v: z.literal(1), vault: z.string().min(1).max(100), by: PeerIdSchema, at: z.number().int().nonnegative(), prev: OpId.nullable() };

export const VaultOpSchema = z.discriminatedUnion('kind', [
  /** The vault's creator: its first admin. The vault's name and type are fixed here; the vault id is a hash of the creator and `salt` (foldVaultRights.vaultIdOf). */
  z.object({ ...Common, kind: z.literal('create'), name: VaultNameSchema, type: VaultType, salt: z.string().regex(/^[0-9a-f]{32}$/) }).strict(),
  /**
   * A generation: a fresh key wrapped for exactly the members named, and (on a rotation) every
   * current secret re-sealed under it. Only an admin makes one.
   */
  z
    .object({
      ...Common,
      kind: z.literal('generation'),
      gen: z.number().int().nonnegative(),
      wraps: bounded(z.record(PeerIdSchema, WrapSchema), MAX_VAULT_MEMBERS),
      values: bounded(z.record(SecretNameSchema, SealedEntrySchema), MAX_SECRETS_PER_VAULT),
    })
    .strict(),
  /**
   * An admin grants `peer` a level (a role change is a grant to a member), optionally until
   * `expires` (ms), with the generation keys wrapped for it (`wraps`, by generation id).
   * `overrides` names the revocations of `peer` the granter had seen and means to undo; a
   * revocation it does not name wins. `team`: the team the grant came through (share to a team).
   */
  z
    .object({
      ...Common,
      kind: z.literal('grant'),
      peer: PeerIdSchema,
      level: AccessLevel,
      expires: z.number().int().positive().optional(),
      overrides: z.array(OpId).max(64),
      team: z.string().min(1).max(100).optional(),
      wraps: bounded(z.record(OpId, WrapSchema), 64),
    })
    .strict(),
  /**
   * An admin revokes `peer`; `ends` names the grants to `peer` the revoker had seen (a grant it
   * does not name is concurrent and loses); `head` is the last operation of `peer` it had seen.
   */
  z.object({ ...Common, kind: z.literal('revoke'), peer: PeerIdSchema, ends: z.array(OpId).max(64), head: OpId.nullable() }).strict(),
  /** A secret written (sealed under generation `g`) or deleted (`entry` null). */
  z.object({ ...Common, kind: z.literal('write'), name: SecretNameSchema, g: OpId.nullable(), entry: SealedEntrySchema.nullable() }).strict(),
]);
export type VaultOp = z.infer<typeof VaultOpSchema>;
export const SignedVaultOpSchema = z.object({ op: VaultOpSchema, sig: z.string().min(1).max(200) }).strict();
export type SignedVaultOp = z.infer<typeof SignedVaultOpSchema>;

export type VaultOpBody = VaultOp extends infer T ? (T extends VaultOp ? Omit<T, 'v' | 'vault' | 'by' | 'at' | 'prev'> : never) : never;

export function vaultOpId(op: VaultOp): string {
  return createHash('sha256').update(signedJsonBytes(VAULT_OP_DOMAIN, op)).digest('hex');
}

export async function signVaultOp(signer: Signer, vault: string, body: VaultOpBody, at = Date.now(), prev: string | null = null): Promise<{ id: string; entry: SignedVaultOp }> {
  // Through JSON first: an optional field left undefined is dropped, as it would be by every verifier.
  const op = VaultOpSchema.parse(JSON.parse(JSON.stringify({ ...body, v: 1, vault, by: signer.peerId, at, prev })));
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
