import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { LOG_MAX_LINES } from '../constants.js';
import {
  AnalyzeLogPatternsInput,
  CompareConfigSnapshotsInput,
  CreateConfigSnapshotInput,
  DetectConfigDriftInput,
  DistributionStatusInput,
  GetConfigHistoryInput,
  SyncInfrastructureConfigInput,
  SyncSshConfigInput,
} from '../devops/configSchemas.js';
import { changesText, diffText, distributionText, driftText, logText, snapshotLine } from '../devops/configText.js';
import { analyzeLogLines, readLogFile } from '../devops/logPatterns.js';
import type { ParamsOf } from '../daemon/methodMap.js';
import type { DaemonLink } from './DaemonLink.js';
import { guarded, ok } from './results.js';

const write = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const read = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;
const Any = z.looseObject({});

/** Config snapshots, drift, distribution and log patterns (issue 13 items 4, 5, 9), in the devops group. */
export function registerConfigTools(server: McpServer, link: DaemonLink): void {
  server.registerTool(
    'create_config_snapshot',
    { title: 'Snapshot a config file', description: 'Store a system\'s config file (same content stored once). Files with secrets are refused: use a vault.', inputSchema: CreateConfigSnapshotInput, outputSchema: Any, annotations: write },
    guarded(async (args) => {
      const r = await link.call('config.snapshot', args);
      return ok(`${r.unchanged ? 'Unchanged since' : 'Snapshot'} ${snapshotLine(r.snapshot)}`, { ...r });
    }),
  );
  server.registerTool(
    'compare_config_snapshots',
    { title: 'Diff two config snapshots', description: 'Unified diff and changed keys (old/new) of two snapshots (from, to) or two systems\' latest.', inputSchema: CompareConfigSnapshotsInput, outputSchema: Any, annotations: read },
    guarded(async (args) => {
      const d = await link.call('config.compare', args);
      return ok(diffText(d), { ...d });
    }),
  );
  server.registerTool(
    'detect_config_drift',
    { title: 'Detect config drift', description: 'Each system\'s latest config of a type against its peers (names the odd one out, differing keys/lines) and its own baseline.', inputSchema: DetectConfigDriftInput, outputSchema: Any, annotations: read },
    guarded(async (args) => {
      const r = await link.call('config.drift', args);
      return ok(driftText(r), { ...r });
    }),
  );
  server.registerTool(
    'get_config_history',
    { title: 'Config history', description: 'A system\'s snapshots, newest first, with changed keys.', inputSchema: GetConfigHistoryInput, outputSchema: Any, annotations: read },
    guarded(async (args) => {
      const r = await link.call('config.history', args);
      const text = r.snapshots.length ? r.snapshots.map((s) => `${snapshotLine(s)}\n${changesText(s.changes, 5)}`).join('\n') : 'No snapshots.';
      return ok(text, { ...r });
    }),
  );
  const sync = (name: string, title: string, description: string, method: 'config.syncSsh' | 'config.syncInfrastructure', schema: typeof SyncSshConfigInput | typeof SyncInfrastructureConfigInput) =>
    server.registerTool(
      name,
      { title, description, inputSchema: schema, outputSchema: Any, annotations: write },
      guarded(async (args: Record<string, unknown>) => {
        // args were validated by this tool's input schema, which is the method's own params schema.
        const d = await link.call(method, args as ParamsOf<typeof method>);
        return ok(`${distributionText(d)}\nTargets report applied/refused/failed into it; check with get_config_distribution.`, { ...d });
      }),
    );
  sync('sync_ssh_config', 'Distribute an ssh config', 'Send an ssh config to hosts. A target writes it only if its config allows the path (backup kept).', 'config.syncSsh', SyncSshConfigInput);
  sync('sync_infrastructure_config', 'Distribute a config file', 'Send a config file to hosts. A target writes it only if its config allows the path (backup kept).', 'config.syncInfrastructure', SyncInfrastructureConfigInput);
  server.registerTool(
    'get_config_distribution',
    { title: 'Distribution outcomes', description: 'Per target of a sync: applied, refused (why), failed, or dry-run diff.', inputSchema: DistributionStatusInput, outputSchema: Any, annotations: read },
    guarded(async (args) => {
      const d = await link.call('config.distribution', args);
      return ok(distributionText(d), { ...d });
    }),
  );
  server.registerTool(
    'analyze_log_patterns',
    { title: 'Mine log templates', description: 'Group log lines into templates with counts and first/last seen.', inputSchema: AnalyzeLogPatternsInput, outputSchema: Any, annotations: read },
    guarded(async (args) => {
      const all = args.lines ?? (await readLogFile(args.path!));
      const lines = all.length > LOG_MAX_LINES ? all.slice(-LOG_MAX_LINES) : all;
      const r = await analyzeLogLines(lines, { ...(args.since ? { since: args.since } : {}), ...(args.limit ? { limit: args.limit } : {}) });
      const note = lines.length < all.length ? `\n(only the last ${LOG_MAX_LINES} lines of ${all.length} were analysed)` : '';
      return ok(logText(r) + note, { ...r });
    }),
  );
}
