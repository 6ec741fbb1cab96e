import { normaliseCapability, type AgentStatus, type RosterEntry } from './Agent.js';

export interface CandidateReport {
  agent: string;
  machine: string;
  status: AgentStatus;
  open_tasks: number;
  missing_capabilities: string[];
  eligible: boolean;
  note: string;
}

export interface DelegationChoice {
  chosen: RosterEntry | undefined;
  reason: string;
  candidates: CandidateReport[];
}

/** Active agents are preferred to idle ones: they are working now and will see the card soonest. */
const STATUS_ORDER: Record<AgentStatus, number> = { active: 0, idle: 1, offline: 2 };

/**
 * Picks the agent for a piece of work: it must be live (active or idle) and have every required
 * capability; among those, active before idle, then the fewest open tasks, then the most recent
 * call, then the smaller id (so two hosts deciding on the same roster decide the same).
 */
export function chooseAgent(roster: readonly RosterEntry[], required: readonly string[]): DelegationChoice {
  const needed = [...new Set(required.map(normaliseCapability))];
  const reports = roster.map((a): CandidateReport & { entry: RosterEntry } => {
    const have = new Set(a.capabilities.map(normaliseCapability));
    const missing = needed.filter((c) => !have.has(c));
    const eligible = missing.length === 0 && a.status !== 'offline';
    const note = a.status === 'offline' ? 'offline' : missing.length ? `lacks ${missing.join(', ')}` : `${a.status}, ${a.open_tasks} open task${a.open_tasks === 1 ? '' : 's'}`;
    return { entry: a, agent: a.id, machine: a.machine, status: a.status, open_tasks: a.open_tasks, missing_capabilities: missing, eligible, note };
  });
  const eligible = reports
    .filter((r) => r.eligible)
    .sort(
      (x, y) =>
        STATUS_ORDER[x.status] - STATUS_ORDER[y.status] ||
        x.open_tasks - y.open_tasks ||
        Date.parse(y.entry.last_active) - Date.parse(x.entry.last_active) ||
        (x.agent < y.agent ? -1 : 1),
    );
  const candidates = reports.map(({ entry: _entry, ...r }) => r);
  const skipped = reports.filter((r) => !r.eligible).map((r) => `${r.agent} (${r.note})`);
  const skippedText = skipped.length ? `; skipped ${skipped.join(', ')}` : '';
  const best = eligible[0];
  if (!best) {
    const wanted = needed.length ? `with ${needed.join(', ')}` : 'at all';
    return { chosen: undefined, reason: `no live agent ${wanted}${roster.length ? skippedText : ' (the roster is empty)'}; the task stays unassigned`, candidates };
  }
  const others = eligible.length - 1;
  const why = [needed.length ? `has ${needed.join(', ')}` : 'no capabilities required', best.status, `${best.open_tasks} open task${best.open_tasks === 1 ? '' : 's'}`];
  const among = others > 0 ? `; best of ${eligible.length} live capable agents (active before idle, then fewest open tasks)` : '; the only live capable agent';
  return { chosen: best.entry, reason: `chose ${best.agent} on ${best.machine}: ${why.join(', ')}${among}${skippedText}`, candidates };
}
