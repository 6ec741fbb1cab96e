import type { Logger } from '../log.js';
import { ANTI_ENTROPY_FANOUT, FULL_SWEEP_INTERVAL_MS } from './constants.js';
import type { Puller } from './Puller.js';
import type { SyncClock, SyncStore } from './SyncPorts.js';

/** When this host last swept a peer's whole feed (epoch ms); outside the peer states' prefix. */
const SWEEP_KEY = 'sweep/last';

export interface AntiEntropyDeps {
  store: SyncStore;
  puller: Puller;
  logger: Logger;
  clock: SyncClock;
  random: () => number;
  connectedMembers: () => string[];
}

/**
 * The schedule of background repair. Every round (ANTI_ENTROPY_INTERVAL_MS, driven by the engine's
 * timer or by a test) pulls from a few random connected members, then compares heads digests with
 * each, so a change no cursor brought is fetched within a few rounds; once a day one pull is a
 * full sweep instead (the backstop under both).
 */
export class AntiEntropy {
  private lastSweep = 0;

  /** Makes the next round a full sweep (the store found damaged or lost documents to re-fetch). */
  requestSweep(): void {
    this.lastSweep = 0;
  }
  /** Peers a digest comparison is running with: one at a time per peer. */
  private readonly healing = new Set<string>();

  constructor(private readonly deps: AntiEntropyDeps) {}

  async load(): Promise<void> {
    // Kept across restarts, or a daemon restarted more often than the interval would never sweep.
    const swept = await this.deps.store.getLocal<number>(SWEEP_KEY);
    this.lastSweep = swept ?? this.deps.clock.now();
    if (swept === undefined) await this.deps.store.putLocal(SWEEP_KEY, this.lastSweep);
  }

  /** One round; resolves when its pulls and digest comparisons have ended (never rejects). */
  async round(): Promise<void> {
    const peers = this.deps.connectedMembers();
    for (let i = peers.length - 1; i > 0; i--) {
      const j = Math.floor(this.deps.random() * (i + 1));
      [peers[i], peers[j]] = [peers[j]!, peers[i]!];
    }
    const now = this.deps.clock.now();
    const sweep = peers.length > 0 && now - this.lastSweep >= FULL_SWEEP_INTERVAL_MS;
    if (sweep) {
      this.lastSweep = now;
      this.deps.store.putLocal(SWEEP_KEY, now).catch((err: unknown) => this.deps.logger.debug({ err: (err as Error).message }, 'could not record the sweep time'));
    }
    await Promise.all(
      peers.slice(0, ANTI_ENTROPY_FANOUT).map(async (peer, i) => {
        try {
          await this.deps.puller.pull(peer, { full: sweep && i === 0 });
          // During a bulk pull nearly every leaf differs: the cursor is doing the work, not the digest.
          if (this.deps.puller.bulkRunning || this.healing.has(peer)) return;
          this.healing.add(peer);
          try {
            await this.deps.puller.heal(peer);
          } finally {
            this.healing.delete(peer);
          }
        } catch (err) {
          this.deps.logger.debug({ peer, err: (err as Error).message }, 'anti-entropy with a peer failed');
        }
      }),
    );
  }
}
