/**
 * Incidents are memories of category `incidents` with structured metadata (docs/ARCHITECTURE.md
 * "DevOps records"): they replicate, merge, erase and are searched like any memory, with no new
 * protocol. This service works through the daemon's memory methods, so the MCP tools and the CLI
 * share it.
 */
import type { DaemonCaller } from '../daemon/methodMap.js';
import { INCIDENT_CORRELATION_CANDIDATES, INCIDENT_MAX_CORRELATIONS, INCIDENT_SAME_OUTAGE_WINDOW_MS } from '../constants.js';
import { RUNBOOK_SUGGESTIONS } from './opsConstants.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { JsonValue, Memory } from '../domain/Memory.js';
import { errorTokens, type Evidence, evidenceText, normaliseSystems, sharedEvidence } from './incidentEvidence.js';
import type { ListIncidentsInput, RecordIncidentInput, UpdateIncidentInput } from './incidentSchemas.js';

/** One typed call to the daemon (the method map in src/daemon/methodMap.ts). */
export type Call = DaemonCaller['call'];

export const INCIDENT_CATEGORY = 'incidents';
export const RUNBOOK_CATEGORY = 'runbooks';
const ALL_TIME_HOURS = 24 * 365;
const LIST_SCAN = 500;

export interface Incident {
  id: string;
  title: string;
  description: string;
  severity: string;
  status: string;
  affected_systems: string[];
  error_tokens: string[];
  resolution: string | null;
  opened_at: string;
  resolved_at: string | null;
  time_to_resolve_minutes: number | null;
  machine: string;
  project: string;
  /** Linked incidents and runbooks: stored links plus those the same-outage rule derives. */
  related: { id: string; kind: string; why: string }[];
}

export interface Correlation extends Evidence {
  id: string;
  kind: 'incident' | 'runbook';
  title: string;
  status: string | null;
  resolution: string | null;
  why: string;
}

type Weighted = Correlation & { weight: number };

const str = (v: JsonValue | undefined, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const strs = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function isIncident(m: Memory): boolean {
  return m.category === INCIDENT_CATEGORY && m.metadata.kind === 'incident' && !m.deleted;
}

/** The incident view of a memory (links as stored; see withRuleLinks for the derived ones). */
export function toIncident(m: Memory): Incident {
  const md = m.metadata;
  return {
    id: m.id,
    title: str(md.title),
    description: str(md.description, m.content),
    severity: str(md.severity, 'medium'),
    status: str(md.status, 'open'),
    affected_systems: strs(md.affected_systems),
    error_tokens: strs(md.error_tokens),
    resolution: typeof md.resolution === 'string' ? md.resolution : null,
    opened_at: str(md.opened_at, m.created_at),
    resolved_at: typeof md.resolved_at === 'string' ? md.resolved_at : null,
    time_to_resolve_minutes: typeof md.time_to_resolve_minutes === 'number' ? md.time_to_resolve_minutes : null,
    machine: m.machine,
    project: m.project,
    related: strs(md.related).map((id) => ({ id, kind: 'linked', why: 'linked when recorded' })),
  };
}

/**
 * The partition correlation rule: two incidents are the same outage when they share an affected
 * system and were opened within INCIDENT_SAME_OUTAGE_WINDOW_MS of each other. It reads only the two
 * records, so every host that holds both derives the same link (symmetric, no write needed), which
 * is how two hosts that recorded one outage while apart see the records linked once they heal.
 */
export function sameOutage(a: Incident, b: Incident): boolean {
  if (a.id === b.id) return false;
  const shared = normaliseSystems(a.affected_systems).some((s) => normaliseSystems(b.affected_systems).includes(s));
  return shared && Math.abs(Date.parse(a.opened_at) - Date.parse(b.opened_at)) <= INCIDENT_SAME_OUTAGE_WINDOW_MS;
}

/** Adds the rule's links among `all` to each incident (stored links keep their place, no duplicates). */
export function withRuleLinks(incidents: Incident[], all: Incident[]): Incident[] {
  return incidents.map((inc) => {
    const related = [...inc.related];
    for (const other of all) {
      if (!sameOutage(inc, other)) continue;
      const shared = normaliseSystems(inc.affected_systems).filter((s) => normaliseSystems(other.affected_systems).includes(s));
      const why = `same outage: ${shared.join(', ')} within ${INCIDENT_SAME_OUTAGE_WINDOW_MS / 3_600_000} h (recorded on ${other.machine})`;
      const existing = related.find((r) => r.id === other.id);
      if (existing) existing.why = `${existing.why}; ${why}`;
      else related.push({ id: other.id, kind: 'incident', why });
    }
    return { ...inc, related };
  });
}

const incidentText = (i: { title: string; description: string }) => `${i.title}\n\n${i.description}`;

export class IncidentService {
  constructor(private readonly call: Call) {}

  /** Records an incident, finds similar past incidents and runbooks with reasons, links both ways. */
  async record(input: RecordIncidentInput): Promise<{ incident: Incident; correlations: Correlation[] }> {
    const systems = normaliseSystems(input.affected_systems);
    const text = incidentText(input);
    const correlations = await this.correlate(text, systems);
    const opened = input.opened_at ? new Date(input.opened_at).toISOString() : new Date().toISOString();
    const status = input.status ?? (input.resolution ? 'resolved' : 'open');
    const resolvedAt = status === 'resolved' ? new Date().toISOString() : null;
    const metadata: Record<string, JsonValue> = {
      kind: 'incident',
      title: input.title,
      description: input.description,
      severity: input.severity ?? 'medium',
      status,
      affected_systems: systems,
      error_tokens: errorTokens(text),
      opened_at: opened,
      related: correlations.map((c) => c.id),
    };
    if (input.resolution) metadata.resolution = input.resolution;
    if (resolvedAt) {
      metadata.resolved_at = resolvedAt;
      metadata.time_to_resolve_minutes = minutesBetween(opened, resolvedAt);
    }
    const stored = await this.call('memory.store', {
      content: this.content(input.title, input.description, input.resolution),
      category: INCIDENT_CATEGORY,
      tags: ['incident', ...systems.slice(0, 10)],
      ...(input.project ? { project: input.project } : {}),
      metadata,
    });
    // The other direction of each link: the past record learns of the new one.
    for (const c of correlations) {
      const past = await this.call('memory.retrieve', { memory_id: c.id });
      const related = [...new Set([...strs(past.metadata.related), stored.id])];
      await this.call('memory.update', { memory_id: c.id, metadata: { related } });
    }
    return { incident: toIncident(stored), correlations };
  }

  /**
   * Past incidents and runbooks like this one, with reasons. Runbooks have their own slots (up to
   * RUNBOOK_SUGGESTIONS) so a crowd of similar incidents cannot hide the runbook that fixes them,
   * and a runbook written from a matching past incident is suggested even when its words differ.
   */
  async correlate(text: string, systems: string[]): Promise<Correlation[]> {
    const query = `${systems.join(' ')} ${text}`.slice(0, 2_000);
    const found: Weighted[] = [];
    const linkedRunbooks = new Map<string, string>();
    for (const category of [INCIDENT_CATEGORY, RUNBOOK_CATEGORY]) {
      const { results } = await this.call('memory.search', { query, category, limit: INCIDENT_CORRELATION_CANDIDATES });
      for (const m of results) {
        // Runbook-like records of other kinds (none yet) are not runbooks; plain runbook memories are.
        if (category === RUNBOOK_CATEGORY && m.metadata.kind !== undefined && m.metadata.kind !== 'runbook') continue;
        const otherSystems = strs(m.metadata.affected_systems).length ? strs(m.metadata.affected_systems) : strs(m.metadata.systems);
        const e = sharedEvidence({ text, systems }, { text: m.content, systems: otherSystems });
        if (!e.matches) continue;
        const kind = category === INCIDENT_CATEGORY ? 'incident' : 'runbook';
        if (kind === 'incident') for (const id of strs(m.metadata.related)) if (!linkedRunbooks.has(id)) linkedRunbooks.set(id, m.id);
        found.push({
          id: m.id,
          kind,
          title: str(m.metadata.title, m.content.split('\n')[0]?.slice(0, 120) ?? ''),
          status: typeof m.metadata.status === 'string' ? m.metadata.status : null,
          resolution: typeof m.metadata.resolution === 'string' ? m.metadata.resolution : null,
          systems: e.systems,
          error_tokens: e.error_tokens,
          symptoms: e.symptoms,
          why: evidenceText(e),
          weight: e.weight,
        });
      }
    }
    const byWeight = (a: Weighted, b: Weighted) => b.weight - a.weight || a.id.localeCompare(b.id);
    const incidents = found.filter((c) => c.kind === 'incident').sort(byWeight).slice(0, INCIDENT_MAX_CORRELATIONS);
    const runbooks = found.filter((c) => c.kind === 'runbook').sort(byWeight);
    // Runbooks the matching incidents link to (generate_runbook links them), after the direct matches.
    for (const inc of incidents) {
      for (const [id, from] of linkedRunbooks) {
        if (from !== inc.id || runbooks.length >= RUNBOOK_SUGGESTIONS || runbooks.some((r) => r.id === id)) continue;
        const rb = await this.runbookLinked(id);
        if (rb) runbooks.push({ ...rb, why: `runbook written for similar incident ${inc.id} (${inc.why})`, weight: 0 });
      }
    }
    return [...incidents, ...runbooks.slice(0, RUNBOOK_SUGGESTIONS)].map(({ weight: _w, ...c }) => c);
  }

  /** A linked id that is a live runbook, as a suggestion without evidence of its own. */
  private async runbookLinked(id: string): Promise<Omit<Correlation, 'why'> | undefined> {
    const m = await this.call('memory.retrieve', { memory_id: id }).catch(() => undefined);
    if (!m || m.deleted || m.category !== RUNBOOK_CATEGORY) return undefined;
    return { id: m.id, kind: 'runbook', title: str(m.metadata.title, m.content.split('\n')[0]?.slice(0, 120) ?? ''), status: null, resolution: null, systems: [], error_tokens: [], symptoms: [] };
  }

  async get(id: string): Promise<Incident> {
    const m = await this.call('memory.retrieve', { memory_id: id });
    if (!isIncident(m)) throw new NotFoundError('incident', id);
    const inc = toIncident(m);
    return withRuleLinks([inc], await this.all())[0] as Incident;
  }

  async update(input: UpdateIncidentInput): Promise<Incident> {
    const current = await this.get(input.incident_id);
    const status = input.status ?? current.status;
    const resolution = input.resolution ?? current.resolution;
    if (status === 'resolved' && !resolution) throw new InvalidInputError('resolving an incident needs a resolution (what fixed it)', { field: 'resolution' });
    const description = input.note ? `${current.description}\n\n${new Date().toISOString()}: ${input.note}` : current.description;
    const metadata: Record<string, JsonValue> = { status, description };
    if (input.severity) metadata.severity = input.severity;
    if (resolution) metadata.resolution = resolution;
    if (status === 'resolved' && current.status !== 'resolved') {
      const at = new Date().toISOString();
      metadata.resolved_at = at;
      metadata.time_to_resolve_minutes = minutesBetween(current.opened_at, at);
    }
    if (status !== 'resolved' && current.status === 'resolved') Object.assign(metadata, { resolved_at: null, time_to_resolve_minutes: null });
    const m = await this.call('memory.update', {
      memory_id: current.id,
      content: this.content(current.title, description, resolution ?? undefined),
      metadata,
    });
    return withRuleLinks([toIncident(m)], await this.all())[0] as Incident;
  }

  async list(filter: ListIncidentsInput): Promise<Incident[]> {
    const all = await this.all();
    const system = filter.system?.toLowerCase();
    const picked = all.filter(
      (i) =>
        (!system || i.affected_systems.includes(system)) &&
        (!filter.severity || i.severity === filter.severity) &&
        (!filter.status || (filter.status === 'unresolved' ? i.status !== 'resolved' : i.status === filter.status)) &&
        (!filter.since || Date.parse(i.opened_at) >= Date.parse(filter.since)) &&
        (!filter.until || Date.parse(i.opened_at) < Date.parse(filter.until)),
    );
    picked.sort((a, b) => b.opened_at.localeCompare(a.opened_at) || a.id.localeCompare(b.id));
    return withRuleLinks(picked.slice(0, filter.limit ?? 50), all);
  }

  /** Every incident this host holds (newest first, up to LIST_SCAN). */
  private async all(): Promise<Incident[]> {
    const { results } = await this.call('memory.recent', { category: INCIDENT_CATEGORY, hours: ALL_TIME_HOURS, limit: LIST_SCAN });
    return results.filter(isIncident).map(toIncident);
  }

  private content(title: string, description: string, resolution: string | undefined): string {
    return `Incident: ${title}\n\n${description}${resolution ? `\n\nResolution: ${resolution}` : ''}`;
  }
}

function minutesBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
}
