/**
 * Health records of the cron-driven administrator: health checks, issues and actions, each a memory
 * of category `monitoring` tagged with its kind and host. An issue stays open until an action
 * resolves it. The rule reads both records (the issue's own status, or any action of its host
 * naming it in `resolves`), so an action recorded on one host closes an issue recorded on another
 * even if the issue's own update has not arrived yet. `hostHealth` is what the next run needs first:
 * the host's last health record and its open issues.
 */
import { DEVOPS_LIST_SCAN } from './opsConstants.js';
import type { JsonValue, Memory } from '../domain/Memory.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { type Call, hostTag, kindTag, listRecords, str, strs } from './devopsRecords.js';
import { refuseSecrets } from './secretGuard.js';
import type { HostHealthInput, RecordActionInput, RecordHealthInput, RecordIssueInput } from './healthSchemas.js';

export const HEALTH_CATEGORY = 'monitoring';
export const HEALTH_KINDS = { health: 'health-record', issue: 'health-issue', action: 'health-action' } as const;

export interface HealthCheck {
  name: string;
  status: string;
  detail?: string;
}

export interface HealthRecord {
  id: string;
  host: string;
  at: string;
  checks: HealthCheck[];
  findings: string[];
  actions_taken: string[];
  issues: string[];
  recorded_on: string;
}

export interface HealthIssue {
  id: string;
  host: string;
  title: string;
  severity: string;
  detail: string;
  status: 'open' | 'resolved';
  resolved_by: string | null;
  opened_at: string;
}

export interface HealthAction {
  id: string;
  host: string;
  action: string;
  resolves: string[];
  result: string;
  at: string;
}

const isKind = (m: Memory, kind: string) => m.category === HEALTH_CATEGORY && m.metadata.kind === kind && !m.deleted;

function toChecks(v: JsonValue | undefined): HealthCheck[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((c) =>
    c !== null && typeof c === 'object' && !Array.isArray(c) ? [{ name: str(c.name), status: str(c.status, 'unknown'), ...(typeof c.detail === 'string' ? { detail: c.detail } : {}) }] : [],
  );
}

export const toHealthRecord = (m: Memory): HealthRecord => ({
  id: m.id,
  host: str(m.metadata.host),
  at: m.created_at,
  checks: toChecks(m.metadata.checks),
  findings: strs(m.metadata.findings),
  actions_taken: strs(m.metadata.actions_taken),
  issues: strs(m.metadata.issues),
  recorded_on: m.machine,
});

export const toHealthAction = (m: Memory): HealthAction => ({ id: m.id, host: str(m.metadata.host), action: str(m.metadata.action), resolves: strs(m.metadata.resolves), result: str(m.metadata.result), at: m.created_at });

/** The issue view with the open/resolved rule applied against the host's actions. */
export function toHealthIssue(m: Memory, actions: readonly HealthAction[]): HealthIssue {
  const by = actions.find((a) => a.resolves.includes(m.id));
  const ownResolved = m.metadata.status === 'resolved';
  return {
    id: m.id,
    host: str(m.metadata.host),
    title: str(m.metadata.title),
    severity: str(m.metadata.severity, 'medium'),
    detail: str(m.metadata.detail),
    status: ownResolved || by ? 'resolved' : 'open',
    resolved_by: by?.id ?? (typeof m.metadata.resolved_by === 'string' ? m.metadata.resolved_by : null),
    opened_at: m.created_at,
  };
}

/** Open issues among the records of a host (pure: the briefing uses it on the daemon's own memories). */
export function openIssues(issueMemories: readonly Memory[], actionMemories: readonly Memory[]): HealthIssue[] {
  const actions = actionMemories.filter((m) => isKind(m, HEALTH_KINDS.action)).map(toHealthAction);
  return issueMemories
    .filter((m) => isKind(m, HEALTH_KINDS.issue))
    .map((m) => toHealthIssue(m, actions))
    .filter((i) => i.status === 'open')
    .sort((a, b) => b.opened_at.localeCompare(a.opened_at) || a.id.localeCompare(b.id));
}

export class HealthRecordService {
  private host?: string;
  constructor(private readonly call: Call) {}

  async recordHealth(input: RecordHealthInput): Promise<HealthRecord> {
    const host = await this.hostOf(input.host);
    const failing = input.checks.filter((c) => c.status !== 'ok');
    const content = [
      `Health check of ${host}: ${input.checks.length - failing.length}/${input.checks.length} ok${failing.length ? `; ${failing.map((c) => `${c.name} ${c.status}${c.detail ? ` (${c.detail})` : ''}`).join('; ')}` : ''}`,
      ...(input.findings ?? []).map((f) => `Finding: ${f}`),
      ...(input.actions_taken ?? []).map((a) => `Action: ${a}`),
    ].join('\n');
    const m = await this.store(host, HEALTH_KINDS.health, content, {
      host,
      checks: input.checks.map((c) => ({ name: c.name, status: c.status, ...(c.detail ? { detail: c.detail } : {}) })),
      findings: input.findings ?? [],
      actions_taken: input.actions_taken ?? [],
      issues: input.issues ?? [],
    });
    return toHealthRecord(m);
  }

  async recordIssue(input: RecordIssueInput): Promise<HealthIssue> {
    const host = await this.hostOf(input.host);
    const severity = input.severity ?? 'medium';
    const m = await this.store(host, HEALTH_KINDS.issue, `Issue on ${host} [${severity}]: ${input.title}${input.detail ? `\n${input.detail}` : ''}`, {
      host,
      title: input.title,
      severity,
      detail: input.detail ?? '',
      status: 'open',
    });
    return toHealthIssue(m, []);
  }

  async recordAction(input: RecordActionInput): Promise<{ action: HealthAction; resolved: HealthIssue[] }> {
    const host = await this.hostOf(input.host);
    const resolves = [...new Set(input.resolves ?? [])];
    // Every named issue must exist and be an issue before anything is written.
    const issues: Memory[] = [];
    for (const id of resolves) {
      const m = await this.call('memory.retrieve', { memory_id: id });
      if (!isKind(m, HEALTH_KINDS.issue)) throw new InvalidInputError(`${id} is not a health issue`, { id });
      issues.push(m);
    }
    const ids = issues.map((m) => m.id);
    const m = await this.store(host, HEALTH_KINDS.action, `Action on ${host}: ${input.action}${input.result ? `\nResult: ${input.result}` : ''}${ids.length ? `\nResolves: ${ids.join(', ')}` : ''}`, {
      host,
      action: input.action,
      resolves: ids,
      result: input.result ?? '',
    });
    const action = toHealthAction(m);
    const resolved: HealthIssue[] = [];
    for (const issue of issues) {
      const u = await this.call('memory.update', { memory_id: issue.id, metadata: { status: 'resolved', resolved_by: action.id } });
      resolved.push(toHealthIssue(u, [action]));
    }
    return { action, resolved };
  }

  /** What the next run needs first: the host's last health record and its open issues. */
  async hostHealth(input: HostHealthInput): Promise<{ host: string; last_health: HealthRecord | null; open_issues: HealthIssue[] }> {
    const host = await this.hostOf(input.host);
    const [records, issues, actions] = await Promise.all([
      this.list(host, HEALTH_KINDS.health, 50),
      this.list(host, HEALTH_KINDS.issue, DEVOPS_LIST_SCAN),
      this.list(host, HEALTH_KINDS.action, DEVOPS_LIST_SCAN),
    ]);
    const last = records.filter((m) => isKind(m, HEALTH_KINDS.health)).sort((a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id))[0];
    return { host, last_health: last ? toHealthRecord(last) : null, open_issues: openIssues(issues, actions) };
  }

  async issue(id: string): Promise<HealthIssue> {
    const m = await this.call('memory.retrieve', { memory_id: id });
    if (!isKind(m, HEALTH_KINDS.issue)) throw new NotFoundError('health issue', id);
    return toHealthIssue(m, []);
  }

  private list(host: string, kind: string, limit: number): Promise<Memory[]> {
    return listRecords(this.call, HEALTH_CATEGORY, [kindTag(kind), hostTag(host)], limit);
  }

  private async store(host: string, kind: string, content: string, metadata: Record<string, JsonValue>): Promise<Memory> {
    await refuseSecrets(content, 'health record');
    return this.call('memory.store', { content, category: HEALTH_CATEGORY, tags: [kindTag(kind), hostTag(host)], metadata: { kind, ...metadata } });
  }

  private async hostOf(given: string | undefined): Promise<string> {
    if (given) return given.toLowerCase();
    this.host ??= (await this.call('devops.host', {})).name.toLowerCase();
    return this.host;
  }
}
