import type { z } from 'zod';
import { ConfigService } from '../devops/ConfigService.js';
import { CompareConfigSnapshotsInput, CreateConfigSnapshotInput, DetectConfigDriftInput, GetConfigHistoryInput } from '../devops/configSchemas.js';
import type { MemoryService } from '../domain/MemoryService.js';
import { method, type Method } from './api.js';

export interface ConfigApiDeps {
  memories: MemoryService;
}

/** The socket API of config snapshots and drift (config.*), shared by the devops tools and `mesh config`. */
export function buildConfigApi({ memories }: ConfigApiDeps): Record<string, Method<z.ZodType>> {
  const configs = new ConfigService(memories);
  return {
    'config.snapshot': method(CreateConfigSnapshotInput, (p, a) => configs.snapshot(p, a)),
    'config.compare': method(CompareConfigSnapshotsInput, (p) => configs.compare(p)),
    'config.drift': method(DetectConfigDriftInput, (p) => configs.drift(p)),
    'config.history': method(GetConfigHistoryInput, (p) => configs.history(p)),
  };
}
