import { z } from 'zod';
import { MAX_SECRET_BYTES } from './constants.js';
import { AccessLevel, SecretNameSchema, VaultNameSchema, VaultType } from './vaultOps.js';

/** Inputs of the vault tools and socket methods; descriptions are written for a model. */
const VaultRef = z.string().min(1).max(100).describe('The vault: its name or its id (v-…).');
const Iso = z.iso.datetime({ offset: true });
const Target = {
  host: z.string().min(1).max(200).optional().describe('A host: its peer id or its unique name in the mesh.'),
  person: z.string().min(1).max(100).optional().describe("A person: the team of that person's hosts (a team named after them), so a laptop and a desktop need one grant."),
  team: z.string().min(1).max(100).optional().describe('A team: every host granted the team, now and as hosts join or leave it.'),
};
const oneTarget = (v: { host?: string | undefined; person?: string | undefined; team?: string | undefined }) => [v.host, v.person, v.team].filter((x) => x !== undefined).length === 1;
/** The rule of share and revoke, for schemas built on their fields (the MCP tools' own). */
export const ONE_TARGET = [oneTarget, 'name exactly one of host, person, team'] as const;

export const SecretKind = z.enum(['api_key', 'password', 'token', 'ssh_key', 'certificate', 'connection_string', 'note', 'other']);

export const CreateVaultInput = z.object({
  name: VaultNameSchema.describe('A short name (letters, digits, . _ -).'),
  type: VaultType.default('personal').describe('personal (this host only until shared), team (shared with `team` at once), project, or shared.'),
  team: z.string().min(1).max(100).optional().describe('For a team vault: the team granted write access at creation.'),
});
export const ListVaultsInput = z.object({ all: z.boolean().optional().describe('Also list vaults this host replicates but cannot open.') });
export const StoreInVaultInput = z.object({
  vault: VaultRef,
  name: SecretNameSchema.describe('The secret\'s name, e.g. "prod-db-password" (visible to every mesh member; the value is not).'),
  value: z.string().min(1).refine((v) => Buffer.byteLength(v) <= MAX_SECRET_BYTES, `at most ${MAX_SECRET_BYTES} bytes`).describe('The secret value. Sealed before it leaves this call; never logged.'),
  kind: SecretKind.optional(),
  url: z.string().max(2000).optional(),
  username: z.string().max(200).optional(),
  notes: z.string().max(4000).optional(),
  expires_at: Iso.optional().describe('When the secret itself expires (shown in listings), ISO 8601.'),
});
export const RetrieveFromVaultInput = z.object({
  vault: VaultRef,
  name: SecretNameSchema,
  audit_reason: z.string().trim().min(3).max(500).describe('Why the value is needed; recorded in the signed audit log on every replica.'),
});
export const ListVaultSecretsInput = z.object({ vault: VaultRef });
export const DeleteVaultSecretInput = z.object({ vault: VaultRef, name: SecretNameSchema, reason: z.string().max(500).optional() });
export const ShareVaultFields = z.object({
  vault: VaultRef,
  ...Target,
  level: AccessLevel.default('read').describe('read, write or admin (admins share, revoke and change roles). Sharing again with another level changes the role.'),
  expires_at: Iso.optional().describe('When the access ends (the vault key is rotated then).'),
});
export const ShareVaultInput = ShareVaultFields.refine(...ONE_TARGET);
export const RevokeVaultFields = z.object({ vault: VaultRef, ...Target, reason: z.string().max(500).optional() });
export const RevokeVaultAccessInput = RevokeVaultFields.refine(...ONE_TARGET);
export const VaultAuditLogInput = z.object({
  vault: VaultRef.optional(),
  host: z.string().min(1).max(200).optional().describe('Only this host\'s chain (peer id or name).'),
  limit: z.number().int().positive().max(1000).default(50),
  verify: z.boolean().optional().describe('Verify every host\'s chain: forged, reordered, dropped or truncated entries by host and position.'),
});

export type CreateVaultInput = z.infer<typeof CreateVaultInput>;
export type StoreInVaultInput = z.infer<typeof StoreInVaultInput>;
export type ShareVaultInput = z.infer<typeof ShareVaultInput>;
export type RevokeVaultAccessInput = z.infer<typeof RevokeVaultAccessInput>;
export type VaultAuditLogInput = z.infer<typeof VaultAuditLogInput>;
