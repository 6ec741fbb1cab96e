import { z } from 'zod';
import { CONFIG_MAX_CHARS, LOG_MAX_LINES } from '../constants.js';

/** Names end up in tags (`system:…`, `config:…`), which are at most 64 characters. */
const name = z.string().trim().min(1).max(50).regex(/^[^\s,]+$/, 'no spaces or commas');
const system = name.describe('e.g. elastic3');
const configType = name.describe('e.g. jvm.options');
const snapshotId = z.string().min(1).max(100);

export const CreateConfigSnapshotInput = z.object({
  system,
  config_type: configType,
  path: z.string().min(1).max(500),
  content: z.string().min(1).max(CONFIG_MAX_CHARS),
  baseline: z.boolean().optional().describe('Drift baseline (default: first snapshot).'),
});
export type CreateConfigSnapshotInput = z.infer<typeof CreateConfigSnapshotInput>;

export const CompareConfigSnapshotsInput = z
  .object({
    from: snapshotId.optional(),
    to: snapshotId.optional(),
    system_a: z.string().max(50).optional(),
    system_b: z.string().max(50).optional(),
    config_type: z.string().max(50).optional(),
  })
  .refine((v) => (v.from && v.to) || (v.system_a && v.system_b && v.config_type), 'give from and to, or system_a, system_b and config_type');
export type CompareConfigSnapshotsInput = z.infer<typeof CompareConfigSnapshotsInput>;

export const DetectConfigDriftInput = z.object({
  config_type: configType,
  system: z.string().max(50).optional().describe('Only this system.'),
});
export type DetectConfigDriftInput = z.infer<typeof DetectConfigDriftInput>;

export const GetConfigHistoryInput = z.object({
  system,
  config_type: z.string().max(50).optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type GetConfigHistoryInput = z.infer<typeof GetConfigHistoryInput>;

export const AnalyzeLogPatternsInput = z
  .object({
    lines: z.array(z.string().max(10_000)).max(LOG_MAX_LINES).optional(),
    path: z.string().min(1).max(1_000).optional().describe('Or a log file on this host.'),
    since: z.iso.datetime({ offset: true }).optional().describe('e.g. the deploy time: flags new templates.'),
    limit: z.number().int().min(1).max(500).optional(),
  })
  .refine((v) => (v.lines === undefined) !== (v.path === undefined), 'give lines or path (one of them)');
export type AnalyzeLogPatternsInput = z.infer<typeof AnalyzeLogPatternsInput>;

const targets = z
  .array(z.string().trim().min(1).max(200))
  .min(1)
  .max(100)
  .describe('Host names or globs.');
const dryRun = z.boolean().optional().describe('Targets report their diff; nothing written.');

export const SyncSshConfigInput = z.object({
  targets,
  content: z.string().min(1).max(CONFIG_MAX_CHARS),
  path: z.string().min(1).max(500).optional().describe('Default ~/.ssh/config.'),
  dry_run: dryRun,
});
export type SyncSshConfigInput = z.infer<typeof SyncSshConfigInput>;

export const SyncInfrastructureConfigInput = z.object({
  targets,
  path: z.string().min(1).max(500).describe('Absolute or ~/.'),
  content: z.string().min(1).max(CONFIG_MAX_CHARS),
  config_type: z.string().trim().min(1).max(50).optional(),
  dry_run: dryRun,
});
export type SyncInfrastructureConfigInput = z.infer<typeof SyncInfrastructureConfigInput>;

export const DistributionStatusInput = z.object({ distribution_id: z.string().min(1).max(100) });
export type DistributionStatusInput = z.infer<typeof DistributionStatusInput>;
