import { z } from 'zod';
import { BROADCAST_TAG } from '../constants.js';
import { BRIEFING_MAX_HEALTH_ISSUES } from '../devops/opsConstants.js';
import { hostHealthIssues } from '../devops/briefingHealth.js';
import type { RosterEntry } from '../domain/Agent.js';
import type { Memory } from '../domain/Memory.js';
import type { MemoryService } from '../domain/MemoryService.js';
import type { TaskOut } from '../domain/Task.js';
import {
  BRIEFING_SNIPPET_CHARS,
  BROADCAST_LOOKBACK_HOURS,
  DEFAULT_BRIEFING_CHARS,
  INCIDENT_LOOKBACK_DAYS,
  MAX_BRIEFING_CHARS,
  MAX_BROADCASTS,
  MAX_INCIDENTS,
  MAX_PROJECT_MEMORIES,
  MAX_TASKS,
  MIN_BRIEFING_CHARS,
} from './constants.js';

export const BriefingInput = z.object({
  project: z.string().max(200).optional().describe('The project of the session (from its working directory).'),
  source: z.enum(['startup', 'resume', 'clear', 'compact']).optional(),
  budget: z.number().int().min(MIN_BRIEFING_CHARS).max(MAX_BRIEFING_CHARS).optional(),
});
export type BriefingInput = z.infer<typeof BriefingInput>;

/** One briefing section: a title and its items, most important first. */
export interface BriefingSection {
  title: string;
  items: string[];
}

/**
 * Where each part of the briefing comes from. Without `incidents`, the open incidents are the
 * memories of category incidents (record_incident's records and plain notes) that are not
 * resolved; without `vaultNames`, the vault section is empty.
 */
export interface BriefingSources {
  machine: string;
  memories: MemoryService;
  agents: () => RosterEntry[];
  openTasks: () => TaskOut[];
  incidents?: (machine: string, project: string | undefined) => Promise<string[]>;
  vaultNames?: (project: string | undefined) => Promise<string[]>;
  now?: () => number;
}

/** What is open on this host and project, within a character budget, for a new session's context. */
export async function buildBriefing(src: BriefingSources, input: BriefingInput): Promise<{ text: string; sections: BriefingSection[]; chars: number }> {
  const now = (src.now ?? Date.now)();
  const project = input.project;
  // A memory shown in one section is not repeated in a later one.
  const shown = new Set<string>();
  const once = (ms: Memory[]) => ms.filter((m) => !shown.has(m.id) && shown.add(m.id)).map(line);
  const incidents = src.incidents ? await src.incidents(src.machine, project) : once(await incidentMemories(src.memories, src.machine, project, now));
  const sections: BriefingSection[] = [
    { title: 'Open incidents (this host or project)', items: incidents },
    { title: 'Open health issues of this host', items: await hostHealthIssues(src.memories, src.machine, BRIEFING_MAX_HEALTH_ISSUES) },
    { title: `Tasks for this host's agents, or claimable`, items: tasksFor(src.machine, src.agents(), src.openTasks(), project) },
    { title: `Broadcasts (last ${BROADCAST_LOOKBACK_HOURS} h)`, items: once(await broadcasts(src.memories, now)) },
    ...(project ? [{ title: `Recent memories of ${project}`, items: once(await src.memories.projectMemories(project, MAX_PROJECT_MEMORIES + shown.size)).slice(0, MAX_PROJECT_MEMORIES) }] : []),
    { title: 'Vaults the session may need (names only)', items: src.vaultNames ? await src.vaultNames(project) : [] },
  ];
  const head = `hivemesh briefing: host ${src.machine}${project ? `, project ${project}` : ''}${input.source && input.source !== 'startup' ? ` (${input.source})` : ''}. Search more with search_memories; store what you learn with store_memory.`;
  const text = fit(head, sections.filter((s) => s.items.length > 0), input.budget ?? DEFAULT_BRIEFING_CHARS);
  return { text, sections, chars: text.length };
}

/** Sections in order, items in order, until the budget: a cut item is dropped whole, with a count of what was left out. */
function fit(head: string, sections: BriefingSection[], budget: number): string {
  let out = head;
  let left = 0;
  for (const s of sections) {
    const title = `\n\n## ${s.title}`;
    if (out.length + title.length + 40 > budget) {
      left += s.items.length;
      continue;
    }
    let block = title;
    let shown = 0;
    for (const item of s.items) {
      const next = `\n- ${item}`;
      if (out.length + block.length + next.length + 40 > budget) break;
      block += next;
      shown++;
    }
    if (shown > 0) out += block;
    left += s.items.length - shown;
  }
  if (left > 0) out += `\n\n(${left} more not shown: budget ${budget} characters)`;
  return out;
}

function line(m: Memory): string {
  const text = m.content.replace(/\s+/g, ' ').trim();
  const snippet = text.length > BRIEFING_SNIPPET_CHARS ? `${text.slice(0, BRIEFING_SNIPPET_CHARS - 1)}…` : text;
  return `[${m.category}${m.machine ? ` · ${m.machine}` : ''} · ${m.updated_at.slice(0, 10)} · ${m.id.slice(0, 8)}] ${snippet}`;
}

const RESOLVED = new Set(['resolved', 'closed', 'fixed']);

/**
 * Open: a record of record_incident is open until its status says resolved (update_incident sets
 * the status, not a tag); a plain memory of category incidents until it is tagged resolved.
 */
function isOpenIncident(m: Memory): boolean {
  if (m.metadata['kind'] === 'incident' && typeof m.metadata['status'] === 'string') return m.metadata['status'] !== 'resolved';
  return !m.tags.some((t) => RESOLVED.has(t.toLowerCase()));
}

async function incidentMemories(memories: MemoryService, machine: string, project: string | undefined, now: number): Promise<Memory[]> {
  const recent = await memories.listLive({ category: 'incidents', since: now - INCIDENT_LOOKBACK_DAYS * 86_400_000 }, 50);
  return recent
    .filter((m) => isOpenIncident(m) && (m.machine === machine || (project !== undefined && m.project === project)))
    .slice(0, MAX_INCIDENTS);
}

function broadcasts(memories: MemoryService, now: number): Promise<Memory[]> {
  return memories.listLive({ tags: [BROADCAST_TAG], since: now - BROADCAST_LOOKBACK_HOURS * 3_600_000 }, MAX_BROADCASTS);
}

function tasksFor(machine: string, agents: RosterEntry[], open: TaskOut[], project: string | undefined): string[] {
  const here = new Set(agents.filter((a) => a.machine === machine).map((a) => a.id));
  const mine = open.filter((t) => t.assignee !== null && here.has(t.assignee));
  const claimable = open.filter((t) => t.assignee === null && t.status === 'todo');
  // This project's cards first, then by the board's own order.
  const ordered = [...mine, ...claimable].sort((a, b) => Number(b.project === project) - Number(a.project === project));
  return ordered.slice(0, MAX_TASKS).map((t) => `[${t.status} · ${t.priority}${t.assignee ? ` · ${t.assignee}` : ' · unassigned'}${t.project ? ` · ${t.project}` : ''} · ${t.id.slice(0, 8)}] ${t.title}`);
}
