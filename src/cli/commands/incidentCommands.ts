import type { Command } from 'commander';
import { IncidentService, type Incident } from '../../devops/IncidentService.js';
import { ListIncidentsInput } from '../../devops/incidentSchemas.js';
import { incidentText } from '../../devops/incidentText.js';
import { InvalidInputError } from '../../errors.js';
import { withDaemon, type CommonOptions } from '../context.js';
import { fail, printJson, printText } from '../output.js';
import { textTable } from '../textTable.js';

/** One row per incident; `mesh incident show ID` (any unique prefix) gives the links and why. */
function incidentTable(incidents: Incident[]): string {
  const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
  return textTable(
    ['ID', 'SEVERITY', 'STATUS', 'SYSTEMS', 'OPENED (UTC)', 'HOST', 'LINKS', 'TITLE'],
    incidents.map((i) => [i.id, i.severity, i.status, i.affected_systems.join(','), when(i.opened_at), i.machine, String(i.related.length), i.title]),
  );
}

const common = (cmd: Command) => cmd.option('--home <dir>', 'data directory').option('--json', 'print JSON');

async function withIncidents<T>(opts: CommonOptions, fn: (s: IncidentService) => Promise<T>, show: (r: T) => string): Promise<void> {
  try {
    const r = await withDaemon(opts, (c) => fn(new IncidentService((method, params) => c.call(method, params))));
    if (opts.json) printJson(r);
    else printText(show(r));
  } catch (err) {
    fail(err, { incident_id: '<id>' });
  }
}

/** incident ls|show: the incidents every host recorded, for people on call. */
export function registerIncidentCommands(program: Command): void {
  const incident = program.command('incident').description('incidents recorded on any host (record them with the record_incident tool)');
  common(
    incident
      .command('ls')
      .description('incidents newest first with their links')
      .option('--system <s>', 'only incidents affecting this system')
      .option('--severity <s>', 'critical, high, medium or low')
      .option('--status <s>', 'open, investigating, mitigated, resolved or unresolved')
      .option('--since <time>', 'opened at or after (ISO time, e.g. 2026-12-01T00:00:00Z)')
      .option('--until <time>', 'opened before (ISO time)')
      .option('--limit <n>', 'at most this many (default 50)'),
  ).action((opts: CommonOptions & { system?: string; severity?: string; status?: string; since?: string; until?: string; limit?: string }) => {
    const parsed = ListIncidentsInput.safeParse({ system: opts.system, severity: opts.severity, status: opts.status, since: opts.since, until: opts.until, limit: opts.limit === undefined ? undefined : Number(opts.limit) });
    if (!parsed.success) fail(new InvalidInputError(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; ')));
    return withIncidents(opts, async (s) => ({ incidents: await s.list(parsed.data) }), (r: { incidents: Incident[] }) => (r.incidents.length ? incidentTable(r.incidents) : 'no incidents match'));
  });
  common(incident.command('show <id>').description('one incident: description, resolution, related incidents and runbooks with why')).action((id: string, opts: CommonOptions) =>
    withIncidents(opts, (s) => s.get(id), incidentText),
  );
}
