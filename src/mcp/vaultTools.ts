import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { VaultSummary } from '../vault/VaultService.js';
import {
  CreateVaultInput,
  DeleteVaultSecretInput,
  ListVaultSecretsInput,
  ListVaultsInput,
  RetrieveFromVaultInput,
  ONE_TARGET,
  RevokeVaultFields,
  ShareVaultFields,
  StoreInVaultInput,
  VaultAuditLogInput,
} from '../vault/vaultSchemas.js';
import { InvalidInputError } from '../errors.js';
import type { DaemonLink } from './DaemonLink.js';
import { guarded, ok } from './results.js';
import { sessionModeOf } from './sessionMode.js';

const VaultOut = z.looseObject({ id: z.string(), name: z.string(), type: z.string(), generation: z.number(), secrets: z.number(), access: z.string().nullable() });
const ListOut = z.looseObject({ vaults: z.array(VaultOut) });
const PutOut = z.looseObject({ vault: z.string(), name: z.string(), generation: z.number() });
const GetOut = z.looseObject({ vault: z.string(), name: z.string(), value: z.string(), meta: z.looseObject({}), generation: z.number() });
const SecretsOut = z.looseObject({ vault: z.string(), secrets: z.array(z.looseObject({ name: z.string(), kind: z.string() })) });
const DeleteOut = z.looseObject({ vault: z.string(), name: z.string(), deleted: z.boolean() });
const ShareOut = z.looseObject({ vault: z.string(), granted: z.array(z.looseObject({ peer: z.string() })), skipped: z.array(z.looseObject({ peer: z.string(), reason: z.string() })) });
const RevokeOut = z.looseObject({ vault: z.string(), revoked: z.array(z.string()), generation: z.number(), resealed: z.number() });
const AuditOut = z.looseObject({ entries: z.array(z.looseObject({ host: z.string(), seq: z.number(), action: z.string() })), verified: z.looseObject({ problems: z.array(z.looseObject({})) }).nullable() });

/** In the tools, `vault` may be left out in vault mode: the session's vault context is the default. */
const VaultInContext = z.string().min(1).max(100).optional().describe('The vault (name or id); in vault mode, default: the session\'s vault.');
const InContext = {
  StoreInVaultInput: StoreInVaultInput.extend({ vault: VaultInContext }),
  RetrieveFromVaultInput: RetrieveFromVaultInput.extend({ vault: VaultInContext }),
  ListVaultSecretsInput: ListVaultSecretsInput.extend({ vault: VaultInContext }),
  DeleteVaultSecretInput: DeleteVaultSecretInput.extend({ vault: VaultInContext }),
  ShareVaultInput: ShareVaultFields.extend({ vault: VaultInContext }).refine(...ONE_TARGET),
  RevokeVaultAccessInput: RevokeVaultFields.extend({ vault: VaultInContext }).refine(...ONE_TARGET),
};

const write = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const read = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

const vaultLine = (v: VaultSummary) => `${v.name} (${v.id}, ${v.type}) · ${v.secrets} secrets · generation ${v.generation} · ${v.members.length} members · ${v.access ?? 'no access here'}`;

/** The vault group: NaCl-sealed secrets every host replicates and only members can open; every access audited. */
export function registerVaultTools(server: McpServer, link: DaemonLink): void {
  const mode = sessionModeOf(link);
  /** The vault a call names, else the session's vault context (set_mode vault). */
  const withVault = async <A extends { vault?: string | undefined }>(args: A): Promise<A & { vault: string }> => {
    if (args.vault !== undefined) return { ...args, vault: args.vault };
    const state = await mode.get();
    if (state.mode === 'vault' && state.vault !== undefined) return { ...args, vault: state.vault };
    throw new InvalidInputError('vault: required (its name or id), or set_mode vault with a vault to make it this session\'s default');
  };
  const contextVault = async (): Promise<{ vault?: string }> => {
    const state = await mode.get();
    return state.mode === 'vault' && state.vault !== undefined ? { vault: state.vault } : {};
  };
  server.registerTool(
    'create_vault',
    { title: 'Create a vault', description: 'Create an encrypted vault for secrets (API keys, passwords, SSH keys, certificates) instead of putting them in memories. Types: personal (this host until shared), team (shared with `team` at once), project, shared. This host becomes its admin.', inputSchema: CreateVaultInput, outputSchema: VaultOut, annotations: write },
    guarded(async (args) => {
      const v = await link.call('vault.create', args);
      return ok(`Created vault ${vaultLine(v)}`, { ...v });
    }),
  );
  server.registerTool(
    'list_vaults',
    { title: 'List vaults', description: 'The vaults this host can open (all: true adds those it only replicates), with type, members, secret count and this host\'s access.', inputSchema: ListVaultsInput, outputSchema: ListOut, annotations: read },
    guarded(async (args) => {
      const r = await link.call('vault.list', args);
      return ok(r.vaults.length ? `Vaults (${r.vaults.length}):\n${r.vaults.map((v) => `- ${vaultLine(v)}`).join('\n')}` : 'No vaults.', r);
    }),
  );
  server.registerTool(
    'store_in_vault',
    { title: 'Store a secret', description: 'Seal a secret into a vault (needs write access). The value is encrypted before it leaves the call and is never logged or indexed; kind, url, username, notes and expires_at are sealed with it. Storing an existing name replaces its value.', inputSchema: InContext.StoreInVaultInput, outputSchema: PutOut, annotations: write },
    guarded(async (args) => {
      const r = await link.call('vault.put', await withVault(args));
      return ok(`Stored ${r.name} in ${r.vault} (generation ${r.generation}).`, r);
    }),
  );
  server.registerTool(
    'retrieve_from_vault',
    { title: 'Retrieve a secret', description: 'Open one secret\'s value (needs read access). audit_reason is required and recorded, signed, in this host\'s audit chain on every replica. Use the value for the task at hand; do not store it in memories.', inputSchema: InContext.RetrieveFromVaultInput, outputSchema: GetOut, annotations: { ...read, idempotentHint: false } },
    guarded(async (args) => {
      const r = await link.call('vault.get', await withVault(args));
      return ok(`${r.name}: ${r.value}`, r);
    }),
  );
  server.registerTool(
    'list_vault_secrets',
    { title: 'List secrets', description: 'Names and metadata (kind, url, username, notes, expiry, who wrote it) of a vault\'s secrets; never values.', inputSchema: InContext.ListVaultSecretsInput, outputSchema: SecretsOut, annotations: read },
    guarded(async (args) => {
      const r = await link.call('vault.secrets', await withVault(args));
      const lines = r.secrets.map((s) => `- ${s.name} (${s.kind}${s.username ? `, ${s.username}` : ''}${s.url ? `, ${s.url}` : ''})`);
      return ok(lines.length ? `Secrets in ${r.vault} (${lines.length}):\n${lines.join('\n')}` : `No secrets in ${r.vault}.`, r);
    }),
  );
  server.registerTool(
    'delete_vault_secret',
    { title: 'Delete a secret', description: 'Delete a secret from a vault (needs write access); audited. Hosts that could read it before may have kept it: change it at its source too.', inputSchema: InContext.DeleteVaultSecretInput, outputSchema: DeleteOut, annotations: { ...write, destructiveHint: true } },
    guarded(async (args) => {
      const r = await link.call('vault.delete', await withVault(args));
      return ok(`Deleted ${r.name} from ${r.vault}.`, r);
    }),
  );
  server.registerTool(
    'share_vault',
    { title: 'Share a vault', description: 'Give a host, a person (the team of their hosts) or a team read, write or admin access, optionally until expires_at (needs admin). Sharing again with another level changes the role. A host must have started once (to publish its box key).', inputSchema: InContext.ShareVaultInput, outputSchema: ShareOut, annotations: write },
    guarded(async (args) => {
      const r = await link.call('vault.share', await withVault(args));
      const skipped = r.skipped.length ? `; skipped ${r.skipped.map((s) => `${s.peer} (${s.reason})`).join(', ')}` : '';
      return ok(`Shared ${r.vault} with ${r.granted.map((g) => g.name ?? g.peer).join(', ')}${skipped}.`, r);
    }),
  );
  server.registerTool(
    'revoke_vault_access',
    { title: 'Revoke vault access', description: 'Take a host, a person or a team out of a vault (needs admin). In the same operation the vault key is rotated and every current secret re-sealed for the remaining members, so the revoked hosts cannot read anything written after; what they read before they may have kept (change those secrets at their source).', inputSchema: InContext.RevokeVaultAccessInput, outputSchema: RevokeOut, annotations: { ...write, destructiveHint: true } },
    guarded(async (args) => {
      const r = await link.call('vault.revoke', await withVault(args));
      return ok(`Revoked ${r.revoked.join(', ')} from ${r.vault}; generation ${r.generation}, ${r.resealed} secrets re-sealed.`, r);
    }),
  );
  server.registerTool(
    'vault_audit_log',
    { title: 'Vault audit log', description: 'Who read, wrote, shared or revoked what, from every host\'s signed, hash-chained audit log, newest first. verify: true checks every chain and reports forged, reordered, dropped or truncated entries by host and position.', inputSchema: VaultAuditLogInput, outputSchema: AuditOut, annotations: read },
    guarded(async (args) => {
      const r = await link.call('vault.audit', { ...args, ...(args.vault === undefined ? await contextVault() : {}) });
      const lines = r.entries.map((e) => `${e.at} ${e.host_name ?? e.host.slice(-8)}#${e.seq} ${e.actor} ${e.action} ${e.vault}${e.secret ? `/${e.secret}` : ''}${e.reason ? ` (${e.reason})` : ''}`);
      const v = r.verified;
      const verdict = v ? (v.problems.length ? `\nPROBLEMS (${v.problems.length}):\n${v.problems.map((p) => `- ${p.host} position ${p.position}: ${p.problem}`).join('\n')}` : `\nVerified ${v.entries} entries in ${v.hosts} chains: intact.`) : '';
      return ok(`${lines.length ? lines.join('\n') : 'No audit entries.'}${verdict}`, r);
    }),
  );
}
