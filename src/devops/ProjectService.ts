/**
 * Projects are memories of category `project` (kind `project`) naming a project's systems. Two
 * hosts creating the same name while apart make two records; every listing merges records of one
 * name (compared without case): the earliest is the project's id, systems are the union. So the
 * merge is a rule every host derives alike, not a write that could conflict.
 */
import { DEVOPS_LIST_SCAN, PROJECT_DRIFT_TYPES, RUNBOOK_STALE_DAYS } from './opsConstants.js';
import { CONFIG_CATEGORY, changeText, isSnapshot, SNAPSHOT_TAG, toSnapshot } from './ConfigService.js';
import type { Memory } from '../domain/Memory.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { type Call, kindTag, listRecords, projectTag, str, strs } from './devopsRecords.js';
import { HealthRecordService, type HealthIssue } from './HealthRecordService.js';
import { normaliseSystems } from './incidentEvidence.js';
import { type Incident, IncidentService } from './IncidentService.js';
import type { CreateProjectInput } from './projectSchemas.js';
import { type Runbook, RunbookService } from './RunbookService.js';
import { refuseSecrets } from './secretGuard.js';

export const PROJECT_CATEGORY = 'project';
export const PROJECT_KIND = 'project';
/** Systems whose health issues and config snapshots project_health_check reads: one listing per system each. */
const HEALTH_SYSTEMS = 20;

export interface Project {
  id: string;
  name: string;
  description: string;
  systems: string[];
  repository: string;
  created_at: string;
  created_on: string;
  /** Other records of the same name (made apart), merged into this one. */
  merged: string[];
}

export interface ProjectHealth {
  project: Project;
  status: 'ok' | 'attention';
  open_incidents: Incident[];
  blocked_tasks: { id: string; title: string; blocked_by: string[]; assignee: string | null }[];
  stale_runbooks: Runbook[];
  open_health_issues: HealthIssue[];
  drift: ProjectDrift;
}

/** Config drift of a project's systems, from detect_config_drift on each config type they have snapshots of. */
export interface ProjectDrift {
  /** False when no system of the project has a config snapshot: there is nothing to compare. */
  available: boolean;
  reason: string;
  /** Config types checked (at most PROJECT_DRIFT_TYPES). */
  config_types: string[];
  /** A project system whose latest config differs from its peers of the type, or from its own baseline. */
  drifted: { system: string; config_type: string; keys: string[]; summary: string }[];
}

function merge(records: Memory[]): Project[] {
  const groups = new Map<string, Memory[]>();
  for (const m of records) {
    if (m.category !== PROJECT_CATEGORY || m.metadata.kind !== PROJECT_KIND || m.deleted) continue;
    const key = str(m.metadata.name).toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()]
    .map((g) => {
      g.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
      const first = g[0]!;
      return {
        id: first.id,
        name: str(first.metadata.name),
        description: g.map((m) => str(m.metadata.description)).find(Boolean) ?? '',
        systems: normaliseSystems(g.flatMap((m) => strs(m.metadata.systems))),
        repository: g.map((m) => str(m.metadata.repository)).find(Boolean) ?? '',
        created_at: first.created_at,
        created_on: first.machine,
        merged: g.slice(1).map((m) => m.id),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

const touches = (project: Project, item: { project: string; systems: string[] }) =>
  item.project.toLowerCase() === project.name.toLowerCase() || item.systems.some((s) => project.systems.includes(s));

export class ProjectService {
  constructor(private readonly call: Call) {}

  async create(input: CreateProjectInput): Promise<Project> {
    const existing = (await this.list()).find((p) => p.name.toLowerCase() === input.name.toLowerCase());
    if (existing) throw new InvalidInputError(`project ${existing.name} exists (${existing.id}); switch to it with switch_project_context`, { id: existing.id });
    const systems = normaliseSystems(input.systems ?? []);
    const content = `Project ${input.name}${input.description ? `: ${input.description}` : ''}${systems.length ? `\nSystems: ${systems.join(', ')}` : ''}${input.repository ? `\nRepository: ${input.repository}` : ''}`;
    await refuseSecrets(content, 'project');
    const m = await this.call('memory.store', {
      content,
      category: PROJECT_CATEGORY,
      project: input.name,
      tags: [kindTag(PROJECT_KIND), projectTag(input.name)],
      metadata: { kind: PROJECT_KIND, name: input.name, description: input.description ?? '', systems, repository: input.repository ?? '' },
    });
    return merge([m])[0]!;
  }

  async list(): Promise<Project[]> {
    return merge(await listRecords(this.call, PROJECT_CATEGORY, [kindTag(PROJECT_KIND)], 500));
  }

  async get(name: string): Promise<Project> {
    const all = await this.list();
    const found = all.find((p) => p.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new NotFoundError(`project (known: ${all.map((p) => p.name).join(', ') || 'none'})`, name);
    return found;
  }

  /** Open incidents, blocked tasks, stale runbooks and open health issues of the project's systems. */
  async health(name: string, now = Date.now()): Promise<ProjectHealth> {
    const project = await this.get(name);
    const incidents = (await new IncidentService(this.call).list({ status: 'unresolved', limit: 200 })).filter((i) => touches(project, { project: i.project, systems: i.affected_systems }));
    const { tasks } = await this.call('task.list', { status: 'blocked', limit: 200 });
    const blocked = tasks.filter((t) => (t.project ?? '').toLowerCase() === project.name.toLowerCase()).map((t) => ({ id: t.id, title: t.title, blocked_by: t.blocked_by, assignee: t.assignee }));
    const staleBefore = new Date(now - RUNBOOK_STALE_DAYS * 86_400_000).toISOString();
    const stale = (await new RunbookService(this.call).list({ limit: 200 })).filter((r) => touches(project, r) && r.updated_at < staleBefore);
    const health = new HealthRecordService(this.call);
    const issues = (await Promise.all(project.systems.slice(0, HEALTH_SYSTEMS).map((host) => health.hostHealth({ host })))).flatMap((h) => h.open_issues);
    const drift = await this.drift(project);
    const attention = incidents.length + blocked.length + stale.length + issues.length + drift.drifted.length > 0;
    return { project, status: attention ? 'attention' : 'ok', open_incidents: incidents, blocked_tasks: blocked, stale_runbooks: stale, open_health_issues: issues, drift };
  }

  /**
   * The config types the project's systems have snapshots of, then detect_config_drift on each (peers are
   * every system of the type, in the project or not); a project system is listed when it is an odd one
   * out among its peers or has drifted from its own baseline.
   */
  private async drift(project: Project): Promise<ProjectDrift> {
    const types = new Map<string, Set<string>>();
    for (const system of project.systems.slice(0, HEALTH_SYSTEMS)) {
      for (const m of await listRecords(this.call, CONFIG_CATEGORY, [SNAPSHOT_TAG, `system:${system}`], DEVOPS_LIST_SCAN)) {
        const s = isSnapshot(m) ? toSnapshot(m) : undefined;
        if (s?.system === system) types.set(s.config_type, (types.get(s.config_type) ?? new Set<string>()).add(system));
      }
    }
    if (types.size === 0) return { available: false, reason: "no config snapshot of the project's systems", config_types: [], drifted: [] };
    const checked = [...types.keys()].sort().slice(0, PROJECT_DRIFT_TYPES);
    const drifted: ProjectDrift['drifted'] = [];
    const failed: string[] = [];
    for (const configType of checked) {
      let report;
      try {
        report = await this.call('config.drift', { config_type: configType });
      } catch (err) {
        // One config type that cannot be compared does not hide the rest of the health check.
        failed.push(`${configType}: ${(err as Error).message}`);
        continue;
      }
      for (const system of [...types.get(configType)!].sort()) {
        const odd = report.peers.odd.find((o) => o.system === system);
        const base = report.baseline.find((b) => b.system === system && b.drifted);
        if (!odd && !base) continue;
        const keys = [...new Set([...(odd?.keys.map((k) => k.key) ?? []), ...(base?.changes.map((c) => c.key) ?? [])])];
        const summary = [odd?.summary, base && `${system} drifted from its baseline in ${base.changes.slice(0, 5).map(changeText).join(', ')}`].filter(Boolean).join('; ');
        drifted.push({ system, config_type: configType, keys, summary });
      }
    }
    const more = types.size > checked.length ? `; ${types.size - checked.length} more config types not checked (detect_config_drift checks any)` : '';
    const notCompared = failed.length ? `; not compared: ${failed.join('; ')}` : '';
    return { available: true, reason: `${more}${notCompared}`.slice(2), config_types: checked, drifted };
  }
}
