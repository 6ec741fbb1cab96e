/** Readable text of the DevOps records, shared by the MCP tools and the CLI. */
import type { HealthAction, HealthIssue, HealthRecord } from './HealthRecordService.js';
import type { Playbook } from './PlaybookService.js';
import type { Project, ProjectHealth } from './ProjectService.js';
import type { Runbook } from './RunbookService.js';
import { renderRunbook } from './RunbookService.js';
import type { StateRecord } from './InfraStateService.js';
import type { StateChange } from './stateChanges.js';
import type { VersionInfo } from './versionHistory.js';

export const runbookLine = (r: Runbook) => `${r.id} v${r.version} ${r.title}${r.systems.length ? ` (${r.systems.join(', ')})` : ''} · ${r.machine} · ${r.updated_at.slice(0, 10)}`;
export const runbookText = (r: Runbook) => `${runbookLine(r)}${r.source_incident ? `\nfrom incident ${r.source_incident}` : ''}\n\n${renderRunbook(r)}`;
export const playbookLine = (p: Playbook) => `${p.id} v${p.version} ${p.name} [${p.type}] ${p.summary.items.slice(0, 5).join('; ')}${p.summary.items.length > 5 ? '; …' : ''}`;
export const versionLine = (v: VersionInfo) =>
  `v${v.version}${v.concurrent ? ' (concurrent)' : ''} ${v.at} by ${v.agent ?? '?'} on ${v.verified_host ?? v.machine ?? '?'}${v.verified_host ? ' (signed)' : ''}`;

export const stateLine = (r: StateRecord) => `${r.machine} ${r.state_type} @ ${r.observed_at}${r.last_seen_at !== r.observed_at ? ` (unchanged until ${r.last_seen_at})` : ''}: ${JSON.stringify(r.state).slice(0, 300)}`;
export const changeLine = (c: StateChange) => `- ${c.text} [${c.state_type}]`;

export const checkLine = (r: HealthRecord) =>
  `${r.id} ${r.host} @ ${r.at}: ${r.checks.map((c) => `${c.name}=${c.status}`).join(', ')}${r.findings.length ? `\n  findings: ${r.findings.join('; ')}` : ''}${r.actions_taken.length ? `\n  actions: ${r.actions_taken.join('; ')}` : ''}`;
export const issueLine = (i: HealthIssue) => `${i.id} [${i.severity}/${i.status}] ${i.host}: ${i.title} (since ${i.opened_at})${i.resolved_by ? ` resolved by ${i.resolved_by}` : ''}`;
export const actionLine = (a: HealthAction) => `${a.id} ${a.host}: ${a.action}${a.resolves.length ? ` (resolves ${a.resolves.join(', ')})` : ''}`;

export function hostHealthText(h: { host: string; last_health: HealthRecord | null; open_issues: HealthIssue[] }): string {
  return [
    `Host ${h.host}`,
    `Last health record: ${h.last_health ? checkLine(h.last_health) : 'none'}`,
    `Open issues (${h.open_issues.length}):${h.open_issues.length ? '' : ' none'}`,
    ...h.open_issues.map((i) => `- ${issueLine(i)}`),
  ].join('\n');
}

export const projectLine = (p: Project) => `${p.name} (${p.id})${p.systems.length ? ` systems ${p.systems.join(', ')}` : ''}${p.description ? `: ${p.description}` : ''}`;

export function projectHealthText(h: ProjectHealth): string {
  const section = (title: string, items: string[]) => `${title} (${items.length}):${items.length ? `\n${items.map((x) => `- ${x}`).join('\n')}` : ' none'}`;
  return [
    `Project ${h.project.name}: ${h.status}`,
    section('Open incidents', h.open_incidents.map((i) => `${i.id} [${i.severity}/${i.status}] ${i.title} (${i.affected_systems.join(', ')})`)),
    section('Blocked tasks', h.blocked_tasks.map((t) => `${t.id} ${t.title}${t.blocked_by.length ? ` (waits on ${t.blocked_by.join(', ')})` : ''}`)),
    section('Stale runbooks', h.stale_runbooks.map((r) => `${r.id} ${r.title} (last edit ${r.updated_at.slice(0, 10)})`)),
    section('Open health issues', h.open_health_issues.map(issueLine)),
    h.drift.available
      ? section('Config drift', h.drift.drifted.map((d) => `${d.system} ${d.config_type}: ${d.summary}`)) + (h.drift.reason ? ` (${h.drift.reason})` : '')
      : `Config drift: not available (${h.drift.reason})`,
  ].join('\n');
}
