import type { RosterEntry } from '../domain/Agent.js';
import type { MergedCycle } from '../domain/dependencyCycles.js';
import type { TaskOut } from '../domain/Task.js';
import type { TaskPage } from '../domain/TaskService.js';

/** Compact text of roster entries and cards, for a model's context and the CLI. */

export function agentLine(a: RosterEntry): string {
  const caps = a.capabilities.length ? ` [${a.capabilities.join(', ')}]` : '';
  return `${a.id} · ${a.role} on ${a.machine} · ${a.status} (${a.heartbeat_age_s === null ? 'not heard from since this host started' : `heartbeat ${a.heartbeat_age_s}s ago`}) · ${a.open_tasks} open${caps}`;
}

export function rosterText(agents: RosterEntry[]): string {
  if (agents.length === 0) return 'Roster: no agents match.';
  return `Roster (${agents.length}):\n${agents.map((a) => `- ${agentLine(a)}`).join('\n')}`;
}

export function taskLine(t: TaskOut): string {
  const who = t.assignee ? `@${t.assignee}` : 'unassigned';
  const blocked = t.blocked_by.length ? ` · waiting on ${t.blocked_by.join(', ')}` : '';
  const progress = t.progress > 0 && t.status !== 'done' ? ` · ${t.progress}%` : '';
  return `${t.id} [${t.status}, ${t.priority}] ${t.title} · ${who}${progress}${blocked}`;
}

export function tasksText(title: string, tasks: TaskOut[]): string {
  if (tasks.length === 0) return `${title}: none`;
  return `${title} (${tasks.length}):\n${tasks.map((t) => `- ${taskLine(t)}`).join('\n')}`;
}

/** A page of tasks: the true number of matches, and what to ask for next when the page is cut. */
export function taskPageText(title: string, page: TaskPage): string {
  if (page.total === 0) return `${title}: none${cyclesText(page.cycles)}`;
  const shown = page.tasks.length ? `${page.offset + 1}-${page.offset + page.tasks.length}` : 'none';
  const cut = page.next_offset !== null ? `; more with offset ${page.next_offset}` : '';
  return `${title} (${page.total}, showing ${shown}${cut}):\n${page.tasks.map((t) => `- ${taskLine(t)}`).join('\n')}${cyclesText(page.cycles)}`;
}

/** Dependency cycles merged from hosts apart, and the edge the rule sets aside in each. */
export function cyclesText(cycles: readonly MergedCycle[]): string {
  if (cycles.length === 0) return '';
  const lines = cycles.map((c) => `- ${c.cycle.join(' -> ')}: ${c.set_aside.task}'s dependency on ${c.set_aside.dependency} is set aside (does not block); edit its dependencies to settle it`);
  return `\n\nDependency cycles (merged from hosts that were apart):\n${lines.join('\n')}`;
}

export function taskText(t: TaskOut): string {
  const lines = [
    `id: ${t.id}`,
    `title: ${t.title}`,
    `status: ${t.status}${t.status !== t.workflow_status ? ` (set to ${t.workflow_status}; waiting on dependencies)` : ''}  priority: ${t.priority}  progress: ${t.progress}%`,
    `assignee: ${t.assignee ?? 'none'}${t.claim ? ` (claimed ${t.claim.at} by ${t.claim.by} on ${t.claim.machine})` : ''}`,
  ];
  if (t.required_capabilities.length) lines.push(`requires: ${t.required_capabilities.join(', ')}`);
  if (t.dependencies.length) lines.push(`depends on: ${t.dependencies.join(', ')}${t.blocked_by.length ? ` (not done: ${t.blocked_by.join(', ')})` : ' (all done)'}`);
  if (t.project) lines.push(`project: ${t.project}`);
  for (const c of t.conflicts) lines.push(`conflict on ${c.field}: kept ${describe(c.winner)}, lost ${c.losers.map(describe).join(', ')} (${c.rule})`);
  if (t.description) lines.push('', t.description);
  if (t.comments.length) lines.push('', 'comments:', ...t.comments.map((c) => `- ${c.at} ${c.agent}@${c.machine}: ${c.text}`));
  lines.push('', 'history:', ...t.history.map((h) => `- ${h.at} ${h.agent}@${h.machine} ${h.action}${h.from !== undefined || h.to !== undefined ? ` ${h.from ?? '-'} -> ${h.to ?? '-'}` : ''}${h.note ? ` (${h.note})` : ''}`));
  return lines.join('\n');
}

function describe(v: unknown): string {
  if (v && typeof v === 'object' && 'agent' in v) {
    const c = v as { agent: string; at: string; machine: string };
    return `${c.agent}'s claim of ${c.at} on ${c.machine}`;
  }
  return JSON.stringify(v);
}
