import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { MethodName, ParamsOf, ResultOf } from '../../daemon/methodMap.js';
import type { z } from 'zod';
import type { ConfigDiff, ConfigSnapshot, DriftReport } from '../../devops/ConfigService.js';
import { CompareConfigSnapshotsInput, CreateConfigSnapshotInput, DetectConfigDriftInput, DistributionStatusInput, GetConfigHistoryInput } from '../../devops/configSchemas.js';
import { changesText, diffText, distributionText, driftText, snapshotLine } from '../../devops/configText.js';
import type { DistributionStatus } from '../../devops/distribution/DistributionService.js';
import type { SettingChange } from '../../devops/configKeys.js';
import { InvalidInputError } from '../../errors.js';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';

const common = (cmd: Command) => cmd.option('--home <dir>', 'data directory').option('--json', 'print JSON');

/** Parses with the tool's own schema, naming flags in errors; then calls the daemon and prints. */
async function run<N extends MethodName>(opts: CommonOptions, schema: z.ZodType<ParamsOf<N>>, input: unknown, method: N, show: (r: ResultOf<N>) => string): Promise<void> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) fail(new InvalidInputError(parsed.error.issues.map((i) => `${i.path.length ? `--${String(i.path[0]).replace(/_/g, '-')}: ` : ''}${i.message}`).join('; ')));
  try {
    const r = await withDaemon(opts, (c) => c.call(method, parsed.data));
    if (opts.json) printJson(r);
    else printText(show(r));
  } catch (err) {
    fail(err);
  }
}

/** config snapshot|diff|drift|history|dist: config files of the fleet, for people and cron jobs. */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('config snapshots, drift between hosts, distribution outcomes');
  common(config.command('snapshot <system> <type> <file>').description('snapshot a config file of a system (secrets-bearing files are refused)').option('--path <p>', 'path on the system (default: the file given)').option('--baseline', 'mark as the baseline for drift')).action(
    async (system: string, type: string, file: string, opts: CommonOptions & { path?: string; baseline?: boolean }) => {
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (err) {
        fail(new InvalidInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
      }
      await run(opts, CreateConfigSnapshotInput, { system, config_type: type, path: opts.path ?? file, content, ...(opts.baseline ? { baseline: true } : {}) }, 'config.snapshot', (r: { snapshot: ConfigSnapshot; unchanged: boolean }) =>
        `${r.unchanged ? 'unchanged since' : 'snapshot'} ${snapshotLine(r.snapshot)}`,
      );
    },
  );
  common(
    config
      .command('diff <a> <b>')
      .description('diff two snapshots by id, or with --type the latest of two systems')
      .option('--type <t>', 'config type: a and b are then system names'),
  ).action((a: string, b: string, opts: CommonOptions & { type?: string }) =>
    run(opts, CompareConfigSnapshotsInput, opts.type ? { system_a: a, system_b: b, config_type: opts.type } : { from: a, to: b }, 'config.compare', (d: ConfigDiff) => diffText(d)),
  );
  common(config.command('drift <type>').description('which systems differ from their peers (and their baseline) for a config type').option('--system <s>', 'only this system')).action(
    (type: string, opts: CommonOptions & { system?: string }) => run(opts, DetectConfigDriftInput, { config_type: type, ...(opts.system ? { system: opts.system } : {}) }, 'config.drift', (r: DriftReport) => driftText(r)),
  );
  common(config.command('history <system>').description('snapshots of a system, newest first, with changed settings').option('--type <t>', 'only this config type').option('--limit <n>', 'at most this many (default 20)')).action(
    (system: string, opts: CommonOptions & { type?: string; limit?: string }) =>
      run(opts, GetConfigHistoryInput, { system, ...(opts.type ? { config_type: opts.type } : {}), ...(opts.limit ? { limit: Number(opts.limit) } : {}) }, 'config.history', (r: { snapshots: (ConfigSnapshot & { changes: SettingChange[] })[] }) =>
        r.snapshots.length ? r.snapshots.map((s) => `${snapshotLine(s)}\n${changesText(s.changes, 5)}`).join('\n') : 'no snapshots',
      ),
  );
  common(config.command('dist <id>').description("a config distribution's outcome on every target")).action((id: string, opts: CommonOptions) =>
    run(opts, DistributionStatusInput, { distribution_id: id }, 'config.distribution', (d: DistributionStatus) => distributionText(d)),
  );
}
