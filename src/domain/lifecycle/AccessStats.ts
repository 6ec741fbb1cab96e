import { z } from 'zod';

/** Sessions remembered: the oldest is forgotten past this, which bounds the daemon's memory. */
const MAX_SESSIONS = 1_000;

export const AccessStatsInput = z.object({
  session: z.string().max(200).optional().describe('Only this session.'),
  agent: z.string().max(200).optional().describe('Only this agent.'),
});

export interface SessionAccess {
  session: string;
  agent: string;
  first_at: string;
  last_at: string;
  calls: number;
  /** Calls per daemon method (one per MCP tool or CLI command). */
  by_method: Record<string, number>;
}

/**
 * Who used the memory and how, per session and agent: calls by method and first use. Kept in the
 * daemon's memory since it started (it is a usage view, not data to replicate or keep).
 */
export class AccessStats {
  private readonly sessions = new Map<string, SessionAccess>();

  constructor(private readonly now: () => number = Date.now) {}

  record(session: string, agent: string, method: string): void {
    const key = `${session}\0${agent}`;
    const at = new Date(this.now()).toISOString();
    let s = this.sessions.get(key);
    if (!s) {
      s = { session, agent, first_at: at, last_at: at, calls: 0, by_method: {} };
      if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    } else this.sessions.delete(key);
    // Re-inserted last: the map's order is least recently used first.
    this.sessions.set(key, s);
    s.calls++;
    s.last_at = at;
    s.by_method[method] = (s.by_method[method] ?? 0) + 1;
  }

  query(filter: z.infer<typeof AccessStatsInput>): { sessions: SessionAccess[]; by_agent: Record<string, { calls: number; sessions: number; first_at: string }> } {
    const sessions = [...this.sessions.values()].filter((s) => (filter.session === undefined || s.session === filter.session) && (filter.agent === undefined || s.agent === filter.agent));
    const byAgent: Record<string, { calls: number; sessions: number; first_at: string }> = {};
    for (const s of sessions) {
      const a = (byAgent[s.agent] ??= { calls: 0, sessions: 0, first_at: s.first_at });
      a.calls += s.calls;
      a.sessions++;
      if (s.first_at < a.first_at) a.first_at = s.first_at;
    }
    return { sessions: sessions.sort((a, b) => b.last_at.localeCompare(a.last_at)), by_agent: byAgent };
  }
}
