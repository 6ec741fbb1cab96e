import type { Command } from 'commander';
import { homePaths, resolveHome } from '../../home.js';
import { DOCTOR_CHECKS } from '../doctor/checks.js';
import { probeDaemon } from '../doctor/daemonChecks.js';
import { result, type CheckResult, type DaemonProbe, type DoctorCheck, type DoctorContext } from '../doctor/DoctorCheck.js';
import type { CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';

const LABEL = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

/** `mesh doctor`: what a person checks first when something is off, each with a fix; exits 1 when anything fails. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the home, the running daemon (indexes, replication, damaged documents), Node and the native addons')
    .option('--home <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions) => {
      try {
        const checks = await runChecks(resolveHome(opts.home));
        const healthy = checks.every((c) => c.status !== 'fail');
        if (opts.json) printJson({ healthy, checks });
        else printText(checks.map((c) => `${LABEL[c.status]}  ${c.check}: ${c.detail}`).join('\n'));
        if (!healthy) process.exitCode = 1;
      } catch (err) {
        fail(err);
      }
    });
}

export async function runChecks(home: string, checks: readonly DoctorCheck[] = DOCTOR_CHECKS): Promise<CheckResult[]> {
  const paths = homePaths(home);
  let probe: Promise<DaemonProbe> | undefined;
  const ctx: DoctorContext = { home, paths, daemon: () => (probe ??= probeDaemon({ paths })) };
  const out: CheckResult[] = [];
  for (const check of checks) {
    try {
      out.push(...(await check(ctx)));
    } catch (err) {
      // A check that breaks is itself a finding, and the others still run.
      out.push(result(check.name || 'check', 'fail', `the check itself failed: ${(err as Error).message}`));
    }
  }
  return out;
}
