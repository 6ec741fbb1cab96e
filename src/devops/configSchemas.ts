import { z } from 'zod';
import { CONFIG_MAX_CHARS, LOG_MAX_LINES } from '../constants.js';

/** Names end up in tags (`system:…`, `config:…`), which are at most 64 characters. */
const name = z.string().trim().min(1).max(50).regex(/^[^\s,]+$/, 'no spaces or commas');
const system = name.describe('Host or service, e.g. elastic3.');
const configType = name.describe('Kind of file shared by systems, e.g. jvm.options, nginx.conf.');
const snapshotId = z.string().min(1).max(100);

export const CreateConfigSnapshotInput = z.object({
  system,
  config_type: configType,
  path: z.string().min(1).max(500).describe('Where the file lives on the system.'),
  content: z.string().min(1).max(CONFIG_MAX_CHARS).describe('The file content.'),
  baseline: z.boolean().optional().describe('Mark as the system\'s baseline for drift (default: its first snapshot).'),
});
export type CreateConfigSnapshotInput = z.infer<typeof CreateConfigSnapshotInput>;

export const CompareConfigSnapshotsInput = z
  .object({
    from: snapshotId.optional().describe('Snapshot id (older side).'),
    to: snapshotId.optional().describe('Snapshot id (newer side).'),
    system_a: system.optional().describe('Or: latest of this system...'),
    system_b: system.optional().describe('...against latest of this one.'),
    config_type: configType.optional().describe('With system_a/system_b.'),
  })
  .refine((v) => (v.from && v.to) || (v.system_a && v.system_b && v.config_type), 'give from and to, or system_a, system_b and config_type');
export type CompareConfigSnapshotsInput = z.infer<typeof CompareConfigSnapshotsInput>;

export const DetectConfigDriftInput = z.object({
  config_type: configType,
  system: system.optional().describe('Only this system (against its baseline and its peers).'),
});
export type DetectConfigDriftInput = z.infer<typeof DetectConfigDriftInput>;

export const GetConfigHistoryInput = z.object({
  system,
  config_type: configType.optional(),
  limit: z.number().int().min(1).max(200).optional().describe('Default 20.'),
});
export type GetConfigHistoryInput = z.infer<typeof GetConfigHistoryInput>;

export const AnalyzeLogPatternsInput = z
  .object({
    lines: z.array(z.string().max(10_000)).max(LOG_MAX_LINES).optional().describe('Log lines.'),
    path: z.string().min(1).max(1_000).optional().describe('Or a log file on this host.'),
    since: z.iso.datetime({ offset: true }).optional().describe('Flag templates first seen at/after this (e.g. the deploy).'),
    limit: z.number().int().min(1).max(500).optional().describe('Templates returned (default 50).'),
  })
  .refine((v) => (v.lines === undefined) !== (v.path === undefined), 'give lines or path (one of them)');
export type AnalyzeLogPatternsInput = z.infer<typeof AnalyzeLogPatternsInput>;

const targets = z
  .array(z.string().trim().min(1).max(200))
  .min(1)
  .max(100)
  .describe('Host names or globs (elastic*, web-[12]).');
const dryRun = z.boolean().optional().describe('Each target reports its diff and whether it would apply; nothing is written.');

export const SyncSshConfigInput = z.object({
  targets,
  content: z.string().min(1).max(CONFIG_MAX_CHARS).describe('The whole ssh config file.'),
  path: z.string().min(1).max(500).optional().describe('Default ~/.ssh/config (each target\'s own home).'),
  dry_run: dryRun,
});
export type SyncSshConfigInput = z.infer<typeof SyncSshConfigInput>;

export const SyncInfrastructureConfigInput = z.object({
  targets,
  path: z.string().min(1).max(500).describe('Absolute path (or ~/...) on each target.'),
  content: z.string().min(1).max(CONFIG_MAX_CHARS).describe('The whole file.'),
  config_type: z.string().trim().min(1).max(50).optional().describe('e.g. jvm.options.'),
  dry_run: dryRun,
});
export type SyncInfrastructureConfigInput = z.infer<typeof SyncInfrastructureConfigInput>;

export const DistributionStatusInput = z.object({ distribution_id: z.string().min(1).max(100).describe('Id returned by sync_*_config.') });
export type DistributionStatusInput = z.infer<typeof DistributionStatusInput>;
