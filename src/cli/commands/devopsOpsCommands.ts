import type { Command } from 'commander';
import type { z } from 'zod';
import { HealthRecordService } from '../../devops/HealthRecordService.js';
import { CHECK_STATUSES, HostHealthInput, RecordActionInput, RecordHealthInput, RecordIssueInput } from '../../devops/healthSchemas.js';
import { actionLine, checkLine, hostHealthText, issueLine, projectHealthText, projectLine } from '../../devops/opsText.js';
import { CreateProjectInput, ProjectNameInput } from '../../devops/projectSchemas.js';
import { ProjectService } from '../../devops/ProjectService.js';
import { GetVersionsInput, ListRunbooksInput } from '../../devops/runbookSchemas.js';
import { RunbookService } from '../../devops/RunbookService.js';
import { versionView } from '../../devops/versionView.js';
import type { Call } from '../../devops/devopsRecords.js';
import { formatZodError } from '../../domain/zodErrors.js';
import { InvalidInputError } from '../../errors.js';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';
import { textTable } from '../textTable.js';
import { collect, list, wholeNumber } from '../parsers.js';

const common = (cmd: Command) => cmd.option('--home <dir>', 'data directory').option('--json', 'print JSON');

/** The CLI's flags for the tools' parameter names, so a schema error names the flag typed. */
const TERMS = { checks: '--check', findings: '--finding', actions_taken: '--did', issues: '--issue', resolves: '--resolves', diff_from: '--diff-from', state_type: '--type' };

function parsed<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new InvalidInputError(formatZodError(r.error), { issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  return r.data;
}

/** Validates, runs against the daemon, prints JSON or text; any failure is one line and an exit status. */
async function run<T>(opts: CommonOptions, fn: (call: Call) => Promise<T>, show: (r: T) => string): Promise<void> {
  try {
    const r = await withDaemon(opts, (c) => fn((method, params) => c.call(method, params)));
    if (opts.json) printJson(r);
    else printText(show(r));
  } catch (err) {
    fail(err, TERMS);
  }
}

/** `--check disk=ok`, `--check "nginx=fail:502 on /health"`: a check's name, status and detail. */
function parseCheck(spec: string): { name: string; status: string; detail?: string } {
  const m = /^([^=]+)=([a-z]+)(?::(.*))?$/s.exec(spec);
  if (!m) throw new InvalidInputError(`--check "${spec}": expected NAME=STATUS[:DETAIL] with STATUS one of ${CHECK_STATUSES.join(', ')}`);
  return { name: m[1]!.trim(), status: m[2]!, ...(m[3] ? { detail: m[3].trim() } : {}) };
}

/** runbook ls|show, record health|issue|action|last, project create|ls|health: the DevOps records for people and cron jobs. */
export function registerDevopsOpsCommands(program: Command): void {
  const runbook = program.command('runbook').description('runbooks written on any host (write them with the generate_runbook tool)');
  common(runbook.command('ls').description('runbooks, newest first, or those matching a search').option('--query <q>', 'search words').option('--system <s>', 'only runbooks for this system').option('--limit <n>', 'at most this many', wholeNumber)).action(
    (opts: CommonOptions & { query?: string; system?: string; limit?: number }) =>
      run(opts, async (call) => ({ runbooks: await new RunbookService(call).list(parsed(ListRunbooksInput, { query: opts.query, system: opts.system, limit: opts.limit })) }), (r) =>
        r.runbooks.length ? textTable(['ID', 'VERSION', 'SYSTEMS', 'HOST', 'UPDATED', 'TITLE'], r.runbooks.map((b) => [b.id, `v${b.version}`, b.systems.join(','), b.machine, b.updated_at.slice(0, 10), b.title])) : 'no runbooks',
      ),
  );
  common(runbook.command('show <id>').description('a runbook or playbook with its versions; one version; or a diff').option('--version <n>', 'show this version', wholeNumber).option('--diff-from <n>', 'diff from this version to --version (default latest)', wholeNumber)).action(
    (id: string, opts: CommonOptions & { version?: number; diffFrom?: number }) =>
      run(opts, (call) => versionView(call, parsed(GetVersionsInput, { id, version: opts.version, diff_from: opts.diffFrom })), (r) => r.text),
  );

  const record = program.command('record').description('health records of a scheduled run: checks, issues, actions (any host sees them)');
  const host = (cmd: Command) => cmd.option('--host <name>', 'the host checked (default this host)');
  common(
    host(
      record
        .command('health')
        .description('a health check run: checks with status, findings, actions taken')
        .option('--check <name=status[:detail]>', `a check (repeatable); status: ${CHECK_STATUSES.join(', ')}`, collect, [])
        .option('--finding <text>', 'a finding (repeatable)', collect, [])
        .option('--did <text>', 'an action taken (repeatable)', collect, [])
        .option('--issue <id>', 'a related issue id (repeatable)', collect, []),
    ),
  ).action((opts: CommonOptions & { host?: string; check: string[]; finding: string[]; did: string[]; issue: string[] }) =>
    run(opts, async (call) => {
      const input = parsed(RecordHealthInput, { host: opts.host, checks: opts.check.map(parseCheck), findings: opts.finding, actions_taken: opts.did, issues: opts.issue });
      return new HealthRecordService(call).recordHealth(input);
    }, checkLine),
  );
  common(host(record.command('issue <title>').description('an issue found; open until an action resolves it').option('--severity <s>', 'critical, high, medium (default) or low').option('--detail <text>', 'what was seen'))).action(
    (title: string, opts: CommonOptions & { host?: string; severity?: string; detail?: string }) =>
      run(opts, (call) => new HealthRecordService(call).recordIssue(parsed(RecordIssueInput, { host: opts.host, title, severity: opts.severity, detail: opts.detail })), issueLine),
  );
  common(host(record.command('action <description>').description('an action taken, resolving the issues named').option('--resolves <ids>', 'issue ids this action resolves (comma list)', list).option('--result <text>', 'what came of it'))).action(
    (description: string, opts: CommonOptions & { host?: string; resolves?: string[]; result?: string }) =>
      run(opts, (call) => new HealthRecordService(call).recordAction(parsed(RecordActionInput, { host: opts.host, action: description, resolves: opts.resolves, result: opts.result })), (r) =>
        [actionLine(r.action), ...r.resolved.map((i) => `resolved ${issueLine(i)}`)].join('\n'),
      ),
  );
  common(host(record.command('last').description("a host's last health record and its open issues: what the next run reads first"))).action((opts: CommonOptions & { host?: string }) =>
    run(opts, (call) => new HealthRecordService(call).hostHealth(parsed(HostHealthInput, { host: opts.host })), hostHealthText),
  );

  const project = program.command('project').description('projects and their systems');
  common(project.command('create <name>').description('a project naming its systems').option('--description <text>').option('--systems <list>', 'hosts and services (comma list)', list).option('--repository <url>')).action(
    (name: string, opts: CommonOptions & { description?: string; systems?: string[]; repository?: string }) =>
      run(opts, (call) => new ProjectService(call).create(parsed(CreateProjectInput, { name, description: opts.description, systems: opts.systems, repository: opts.repository })), (p) => `created ${projectLine(p)}`),
  );
  common(project.command('ls').description('projects')).action((opts: CommonOptions) =>
    run(opts, async (call) => ({ projects: await new ProjectService(call).list() }), (r) =>
      r.projects.length ? textTable(['NAME', 'SYSTEMS', 'ID', 'DESCRIPTION'], r.projects.map((p) => [p.name, p.systems.join(','), p.id, p.description])) : 'no projects',),
  );
  common(project.command('health <name>').description('open incidents, blocked tasks, stale runbooks, open health issues and config drift of a project')).action((name: string, opts: CommonOptions) =>
    run(opts, (call) => new ProjectService(call).health(parsed(ProjectNameInput, { project: name }).project), projectHealthText),
  );
}
