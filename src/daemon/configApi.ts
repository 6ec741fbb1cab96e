import { ConfigService } from '../devops/ConfigService.js';
import {
  CompareConfigSnapshotsInput,
  CreateConfigSnapshotInput,
  DetectConfigDriftInput,
  DistributionStatusInput,
  GetConfigHistoryInput,
  SyncInfrastructureConfigInput,
  SyncSshConfigInput,
} from '../devops/configSchemas.js';
import type { MeshTrust } from '../devops/distribution/ConfigDistributor.js';
import { DistributionService } from '../devops/distribution/DistributionService.js';
import type { MemoryService } from '../domain/MemoryService.js';
import type { Replicator } from '../sync/Replicator.js';
import { method, methods } from './method.js';

export type DistributionTrust = MeshTrust & { memberNames(): string[] };

export interface ConfigApiDeps {
  memories: MemoryService;
  trust: () => DistributionTrust | undefined;
}

/** What config distribution needs of replication: this host's signer and the current members. */
export function replicatorTrust(replicator: Replicator | undefined): DistributionTrust | undefined {
  if (!replicator?.signer) return undefined;
  const membership = replicator.membership;
  return {
    signer: replicator.signer,
    isMember: (peer) => membership.isMember(peer),
    nameOf: (peer) => membership.get(peer)?.name,
    memberNames: () => membership.list().filter(([, m]) => !m.removed).map(([, m]) => m.name),
  };
}

/** The socket API of config snapshots, drift and distribution (config.*), shared by the devops tools and `mesh config`. */
export function buildConfigApi({ memories, trust }: ConfigApiDeps) {
  const configs = new ConfigService(memories);
  const distribution = new DistributionService(memories, trust);
  return methods({
    'config.snapshot': method(CreateConfigSnapshotInput, (p, a) => configs.snapshot(p, a)),
    'config.compare': method(CompareConfigSnapshotsInput, (p) => configs.compare(p)),
    'config.drift': method(DetectConfigDriftInput, (p) => configs.drift(p)),
    'config.history': method(GetConfigHistoryInput, (p) => configs.history(p)),
    'config.syncSsh': method(SyncSshConfigInput, (p, a) => distribution.send('ssh', p, a)),
    'config.syncInfrastructure': method(SyncInfrastructureConfigInput, (p, a) => distribution.send('infrastructure', p, a)),
    'config.distribution': method(DistributionStatusInput, (p) => distribution.status(p.distribution_id)),
  });
}
