import { randomUUID } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { CONFIG_DISTRIBUTION_TTL_MS } from '../../constants.js';
import type { MemoryService } from '../../domain/MemoryService.js';
import { InvalidInputError, MeshError, NotFoundError } from '../../errors.js';
import type { Actor } from '../../types.js';
import type { SyncInfrastructureConfigInput, SyncSshConfigInput } from '../configSchemas.js';
import { refuseSecrets } from '../configSecrets.js';
import type { MeshTrust } from './ConfigDistributor.js';
import { DISTRIBUTION_CATEGORY, DISTRIBUTION_TAG, isDistribution, outcomesOf, payloadOf } from './distributionDoc.js';
import { type DistributionPayload, type OutcomeStatus, sha256Hex, signPayload, verifyOutcome } from './distributionPayload.js';
import { isTargeted } from './targetPolicy.js';

export const DEFAULT_SSH_CONFIG_PATH = '~/.ssh/config';

export interface TargetOutcome {
  host: string;
  status: OutcomeStatus;
  reason: string;
  at: string;
  backup: string | null;
  diff: string | null;
  /** Signed by the member of that name (a member can write any key of the document, not sign as another). */
  verified: boolean;
}

export interface DistributionStatus {
  id: string;
  flavour: 'ssh' | 'infrastructure';
  path: string;
  targets: string[];
  dry_run: boolean;
  author: string;
  created_at: string;
  expires_at: string;
  outcomes: TargetOutcome[];
  /** Members named by the targets that have not reported yet. */
  pending: string[];
}

/** The sending side of config distribution: signs and stores the document, reads the targets' reports. */
export class DistributionService {
  constructor(
    private readonly memories: MemoryService,
    private readonly trust: () => (MeshTrust & { memberNames(): string[] }) | undefined,
  ) {}

  async send(flavour: 'ssh' | 'infrastructure', input: SyncSshConfigInput | SyncInfrastructureConfigInput, actor: Actor): Promise<DistributionStatus> {
    const trust = this.requireTrust();
    const path = input.path ?? DEFAULT_SSH_CONFIG_PATH;
    if (!isAbsolute(path) && !path.startsWith('~/')) throw new InvalidInputError(`path must be absolute or start with ~/ (got ${path})`, { field: 'path' });
    await refuseSecrets(path, input.content);
    const now = Date.now();
    const payload: DistributionPayload = {
      v: 1,
      nonce: randomUUID(),
      flavour,
      targets: input.targets,
      path,
      sha256: sha256Hex(input.content),
      dry_run: input.dry_run === true,
      author: trust.signer.peerId,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + CONFIG_DISTRIBUTION_TTL_MS).toISOString(),
    };
    const signature = await signPayload(trust.signer, payload);
    const configType = 'config_type' in input && input.config_type ? input.config_type : flavour === 'ssh' ? 'ssh_config' : undefined;
    const m = await this.memories.store(
      {
        content: input.content,
        category: DISTRIBUTION_CATEGORY,
        tags: [DISTRIBUTION_TAG, ...(configType ? [`config:${configType.toLowerCase()}`] : [])],
        context: `${payload.dry_run ? 'Dry run of a config' : 'Config'} distributed to ${input.targets.join(', ')} at ${path}`,
        metadata: { kind: 'config_distribution', payload, signature },
        // The content passed refuseSecrets above; the metadata is a signature and a nonce, random by design.
        allow_secret: true,
      },
      actor,
    );
    return this.status(m.id);
  }

  async status(id: string): Promise<DistributionStatus> {
    const m = await this.memories.retrieve(id);
    if (!isDistribution(m)) throw new NotFoundError('config distribution', id);
    const signed = payloadOf(m);
    if (!signed) throw new MeshError('INVALID_INPUT', `config distribution ${id} carries no well-formed signed payload`, { id });
    const { payload } = signed;
    const trust = this.trust();
    const outcomes: TargetOutcome[] = [];
    for (const { host, outcome } of outcomesOf(m)) {
      const verified = outcome.nonce === payload.nonce && outcome.host === host && trust?.nameOf(outcome.peer) === host && (await verifyOutcome(outcome));
      outcomes.push({ host, status: outcome.status, reason: outcome.reason, at: outcome.at, backup: outcome.backup, diff: outcome.diff, verified });
    }
    const reported = new Set(outcomes.map((o) => o.host));
    const pending = (trust?.memberNames() ?? []).filter((n) => isTargeted(payload.targets, n) && !reported.has(n)).sort();
    return {
      id: m.id,
      flavour: payload.flavour,
      path: payload.path,
      targets: payload.targets,
      dry_run: payload.dry_run,
      author: trust?.nameOf(payload.author) ?? payload.author,
      created_at: payload.created_at,
      expires_at: payload.expires_at,
      outcomes,
      pending,
    };
  }

  private requireTrust(): MeshTrust & { memberNames(): string[] } {
    const trust = this.trust();
    if (!trust) throw new MeshError('REPLICATION_UNAVAILABLE', 'config distribution needs replication running: targets verify the sender by its host key');
    return trust;
  }
}
