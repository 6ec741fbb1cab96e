import { REFUSED_LOG_INTERVAL_MS } from '../trust/constants.js';

/** Peers remembered at most; past it the log forgets them all (many made-up peer ids: log again rather than grow). */
const MAX_REMEMBERED = 1_000;

/**
 * Decides when a refusal is worth a log line: once per peer per interval, with the count of
 * attempts since the last line. An intruder retrying in a loop (a connection, a join with a forged
 * or replayed invite) costs one line per interval, not one per attempt.
 */
export class RefusalLog {
  private readonly seen = new Map<string, { loggedAt: number; since: number }>();

  constructor(
    private readonly intervalMs = REFUSED_LOG_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The attempts since the last line when this one should be logged; undefined to stay quiet. */
  shouldLog(peer: string): { attemptsSinceLastLine: number } | undefined {
    const now = this.now();
    const seen = this.seen.get(peer);
    if (seen && now - seen.loggedAt < this.intervalMs) {
      seen.since++;
      return undefined;
    }
    if (this.seen.size >= MAX_REMEMBERED) this.seen.clear();
    this.seen.set(peer, { loggedAt: now, since: 0 });
    return { attemptsSinceLastLine: seen?.since ?? 0 };
  }
}
