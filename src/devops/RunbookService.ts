/**
 * Runbooks are memories of category `runbooks` (kind `runbook`) whose content is the rendered
 * runbook, so search finds them by any step; the fields live in metadata. Each edit is a new
 * version of the same document (versionHistory.ts), with its author and host from the signed change.
 */
import type { JsonValue, Memory } from '../domain/Memory.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { type Call, kindTag, listRecords, num, str, strs } from './devopsRecords.js';
import { normaliseSystems } from './incidentEvidence.js';
import { INCIDENT_CATEGORY, isIncident, RUNBOOK_CATEGORY, toIncident } from './IncidentService.js';
import type { GenerateRunbookInput, ListRunbooksInput } from './runbookSchemas.js';
import { refuseSecrets } from './secretGuard.js';
import { VersionedDocs } from './VersionedDocs.js';
import { RUNBOOK_MAX_CHARS } from './opsConstants.js';

export const RUNBOOK_KIND = 'runbook';

export interface Runbook {
  id: string;
  title: string;
  trigger: string;
  steps: string[];
  verification: string;
  rollback: string;
  systems: string[];
  source_incident: string | null;
  version: number;
  machine: string;
  project: string;
  updated_at: string;
}

export function isRunbook(m: Memory): boolean {
  return m.category === RUNBOOK_CATEGORY && m.metadata.kind === RUNBOOK_KIND && !m.deleted;
}

export function toRunbook(m: Memory): Runbook {
  const md = m.metadata;
  return {
    id: m.id,
    title: str(md.title),
    trigger: str(md.trigger),
    steps: strs(md.steps),
    verification: str(md.verification),
    rollback: str(md.rollback),
    systems: strs(md.systems),
    source_incident: typeof md.source_incident === 'string' ? md.source_incident : null,
    version: num(md.version, 1),
    machine: m.machine,
    project: m.project,
    updated_at: m.updated_at,
  };
}

/** The runbook as one readable text: what search indexes and what an agent reads. */
export function renderRunbook(r: Pick<Runbook, 'title' | 'trigger' | 'steps' | 'verification' | 'rollback' | 'systems'>): string {
  return [
    `Runbook: ${r.title}`,
    r.systems.length ? `Systems: ${r.systems.join(', ')}` : '',
    `Trigger: ${r.trigger}`,
    'Steps:',
    ...r.steps.map((s, i) => `${i + 1}. ${s}`),
    `Verification: ${r.verification}`,
    `Rollback: ${r.rollback}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** The fields live in metadata as well as in the text, so their total is bounded with a reason a model can act on. */
function checkSize(r: Pick<Runbook, 'title' | 'trigger' | 'steps' | 'verification' | 'rollback' | 'systems'>): void {
  const chars = JSON.stringify(r).length;
  if (chars > RUNBOOK_MAX_CHARS) throw new InvalidInputError(`the runbook is ${chars} characters; at most ${RUNBOOK_MAX_CHARS}: keep steps short, or split it into several runbooks`, { chars, max: RUNBOOK_MAX_CHARS });
}

/** Steps from an incident's resolution: its lines, or its sentences when it is one line. */
function stepsFrom(resolution: string): string[] {
  const lines = resolution.split('\n').map((l) => l.replace(/^\s*(?:[-*]|\d+[.)])\s*/, '').trim()).filter(Boolean);
  if (lines.length > 1) return lines;
  return resolution.split(/(?<=[.;])\s+|,\s+then\s+|\s+then\s+/).map((s) => s.trim().replace(/[.;]$/, '')).filter(Boolean);
}

export class RunbookService {
  readonly versions: VersionedDocs;
  constructor(private readonly call: Call) {
    this.versions = new VersionedDocs(call);
  }

  async generate(input: GenerateRunbookInput): Promise<Runbook> {
    return input.runbook_id ? this.edit(input.runbook_id, input) : this.create(input);
  }

  async get(id: string): Promise<Runbook> {
    const m = await this.call('memory.retrieve', { memory_id: id });
    if (!isRunbook(m)) throw new NotFoundError('runbook', id);
    return toRunbook(m);
  }

  /** Runbooks matching a query (search), or the newest ones; optionally only those for a system. */
  async list(input: ListRunbooksInput): Promise<Runbook[]> {
    const limit = input.limit ?? 50;
    const system = input.system?.toLowerCase();
    const found = input.query
      ? (await this.call('memory.search', { query: input.query, category: RUNBOOK_CATEGORY, limit: Math.min(limit * 2, 100) })).results
      : await listRecords(this.call, RUNBOOK_CATEGORY, [kindTag(RUNBOOK_KIND)], 500);
    return found
      .filter(isRunbook)
      .map(toRunbook)
      .filter((r) => !system || r.systems.includes(system))
      .slice(0, limit);
  }

  private async create(input: GenerateRunbookInput): Promise<Runbook> {
    const base = input.incident_id ? await this.fromIncident(input.incident_id) : undefined;
    const fields = {
      title: input.title ?? base?.title,
      trigger: input.trigger ?? base?.trigger,
      steps: input.steps ?? base?.steps,
      verification: input.verification ?? base?.verification,
      rollback: input.rollback ?? base?.rollback ?? 'None recorded: note how to undo these steps.',
      systems: normaliseSystems(input.systems ?? base?.systems ?? []),
    };
    const { title, trigger, steps, verification } = fields;
    if (title === undefined || trigger === undefined || steps === undefined || verification === undefined) {
      const missing = Object.entries({ title, trigger, steps, verification }).filter(([, v]) => v === undefined).map(([k]) => k);
      throw new InvalidInputError(`a runbook needs ${missing.join(', ')} (or an incident_id of a resolved incident)`, { missing });
    }
    const runbook = { title, trigger, steps, verification, rollback: fields.rollback, systems: fields.systems };
    checkSize(runbook);
    const content = renderRunbook(runbook);
    await refuseSecrets(content, 'runbook');
    const metadata: Record<string, JsonValue> = { kind: RUNBOOK_KIND, ...runbook, version: 1 };
    if (input.incident_id) metadata.source_incident = input.incident_id;
    const project = input.project ?? base?.project;
    const stored = await this.call('memory.store', {
      content,
      category: RUNBOOK_CATEGORY,
      tags: [kindTag(RUNBOOK_KIND), ...runbook.systems.slice(0, 20)],
      ...(project ? { project } : {}),
      metadata,
    });
    // The incident learns of its runbook, so a later similar incident is pointed to it (IncidentService.correlate).
    if (input.incident_id) {
      const incident = await this.call('memory.retrieve', { memory_id: input.incident_id });
      await this.call('memory.update', { memory_id: incident.id, metadata: { related: [...new Set([...strs(incident.metadata.related), stored.id])] } });
    }
    return toRunbook(stored);
  }

  private async edit(id: string, input: GenerateRunbookInput): Promise<Runbook> {
    const current = await this.get(id);
    if (input.incident_id) throw new InvalidInputError('incident_id makes a new runbook; to edit one, give the fields that change', { field: 'incident_id' });
    const next = {
      title: input.title ?? current.title,
      trigger: input.trigger ?? current.trigger,
      steps: input.steps ?? current.steps,
      verification: input.verification ?? current.verification,
      rollback: input.rollback ?? current.rollback,
      systems: input.systems ? normaliseSystems(input.systems) : current.systems,
    };
    checkSize(next);
    const content = renderRunbook(next);
    await refuseSecrets(content, 'runbook');
    // A version is a change of the text (versionHistory.ts): an edit that changes nothing in it keeps the number.
    const changed = content !== renderRunbook(current);
    const m = await this.call('memory.update', {
      memory_id: current.id,
      content,
      tags: [kindTag(RUNBOOK_KIND), ...next.systems.slice(0, 20)],
      ...(input.project ? { project: input.project } : {}),
      metadata: { ...next, version: changed ? current.version + 1 : current.version },
    });
    return toRunbook(m);
  }

  private async fromIncident(id: string) {
    const m = await this.call('memory.retrieve', { memory_id: id });
    if (m.category !== INCIDENT_CATEGORY || !isIncident(m)) throw new NotFoundError('incident', id);
    const i = toIncident(m);
    if (!i.resolution) throw new InvalidInputError(`incident ${i.id} has no resolution yet: resolve it first (update_incident), or give the steps`, { incident_id: i.id });
    return {
      title: i.title,
      trigger: i.description.split('\n')[0]!.slice(0, 2_000),
      steps: stepsFrom(i.resolution),
      verification: `The symptoms of "${i.title}" are gone on ${i.affected_systems.join(', ')}.`,
      rollback: undefined,
      systems: i.affected_systems,
      project: i.project || undefined,
    };
  }
}
