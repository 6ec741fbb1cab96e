import { MeshError } from '../errors.js';
import type { VaultService } from '../vault/VaultService.js';
import {
  CreateVaultInput,
  DeleteVaultSecretInput,
  ListVaultSecretsInput,
  ListVaultsInput,
  RetrieveFromVaultInput,
  RevokeVaultAccessInput,
  ShareVaultInput,
  StoreInVaultInput,
  VaultAuditLogInput,
} from '../vault/vaultSchemas.js';
import { method, methods } from './method.js';

/**
 * The socket API of the vault (vault.*). `vaults` is a getter: the vault needs replication (its
 * signing key and the membership's box keys), so without it every call answers why.
 */
export function buildVaultApi(vaults: () => VaultService | undefined, why: () => string) {
  const v = (): VaultService => {
    const service = vaults();
    if (!service) throw new MeshError('REPLICATION_UNAVAILABLE', `vaults need replication, which is not running: ${why()}`);
    return service;
  };
  return methods({
    'vault.create': method(CreateVaultInput, (p, a) => v().create(p, a)),
    'vault.list': method(ListVaultsInput, async (p) => ({ vaults: await v().list(p.all ?? false) })),
    'vault.put': method(StoreInVaultInput, (p, a) => v().put(p, a)),
    'vault.get': method(RetrieveFromVaultInput, (p, a) => v().get(p, a)),
    'vault.secrets': method(ListVaultSecretsInput, (p) => v().secrets(p.vault)),
    'vault.delete': method(DeleteVaultSecretInput, (p, a) => v().remove(p, a)),
    'vault.share': method(ShareVaultInput, (p, a) => v().share(p, a)),
    'vault.revoke': method(RevokeVaultAccessInput, (p, a) => v().revoke(p, a)),
    'vault.audit': method(VaultAuditLogInput, (p) => v().auditLog(p)),
  });
}
