import { MeshError } from '../errors.js';
import { JOIN_BACKOFF_MAX_MS, JOIN_BACKOFF_START_MS, JOIN_GIVE_UP_AFTER } from './constants.js';

/** What the joiner tells a person when it stops trying: one line, what happened, what to do. */
const ASK_AGAIN = 'ask a member for a new invite (mesh invite), then stop this daemon (mesh stop) and run mesh join <new token>';

/**
 * The joiner's side of a join that does not go through: when to try again (with backoff), and when
 * to stop and say why. A refusal by the inviter or an expired invite ends it at once; an inviter
 * that keeps closing the exchange without an answer (it no longer accepts this invite, e.g. it was
 * already used) ends it after a few tries. An inviter that is only offline is never counted: the
 * attempt runs when it is connected.
 */
export class JoinAttempts {
  private failures = 0;
  private nextAt = 0;
  private stopped: MeshError | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Why the join stopped for good, or undefined while it may still succeed. */
  get gaveUp(): MeshError | undefined {
    return this.stopped;
  }

  /** Milliseconds until the next attempt may run (0: now); Infinity once given up. */
  wait(): number {
    if (this.stopped) return Infinity;
    return Math.max(0, this.nextAt - this.now());
  }

  /** Records a failed attempt; answers the error to report and whether that ends the join. */
  failed(err: unknown, expiresAt: number): { error: MeshError; final: boolean } {
    this.failures++;
    const code = err instanceof MeshError ? err.code : undefined;
    const reason = reasonOf(err);
    let final: MeshError | undefined;
    if (expiresAt <= this.now()) final = new MeshError('INVITE_REFUSED', `the invite expired at ${new Date(expiresAt).toISOString()} before this host could use it; ${ASK_AGAIN}`);
    else if (code === 'INVITE_REFUSED') final = new MeshError('INVITE_REFUSED', `the inviter refused this invite (${reason}): it was already used, has expired or was withdrawn; ${ASK_AGAIN}`);
    else if (this.failures >= JOIN_GIVE_UP_AFTER) {
      final = new MeshError('INVITE_REFUSED', `the inviter closed the join ${this.failures} times without an answer (${reason}): this invite was most likely already used or withdrawn; ${ASK_AGAIN}`);
    }
    if (final) {
      this.stopped = final;
      return { error: final, final: true };
    }
    this.nextAt = this.now() + Math.min(JOIN_BACKOFF_MAX_MS, JOIN_BACKOFF_START_MS * 2 ** (this.failures - 1));
    return { error: new MeshError('REPLICATION_UNAVAILABLE', `joining failed (attempt ${this.failures} of ${JOIN_GIVE_UP_AFTER}): ${reason}; trying again`), final: false };
  }
}

/** One line from whatever a failed exchange threw: libp2p aborts streams with a bare Event at times. */
function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0]!;
  if (typeof Event !== 'undefined' && err instanceof Event) return `the stream was closed (${err.type})`;
  return String(err);
}
