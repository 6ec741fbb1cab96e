import { HELD_TOMBSTONE_CHECK_MS, MAX_CLOCK_SKEW_MS, RETENTION_ERASURE_REASON } from '../constants.js';
import type { Logger } from '../log.js';
import type { DocStore } from '../store/DocStore.js';
import type { Tombstone } from '../store/types.js';
import type { Collection } from '../types.js';

/** One erasure from a peer whose time stamp lies in our future: held, not applied. */
export interface HeldTombstone {
  peer: string;
  c: Collection;
  id: string;
  tomb: Tombstone;
  heldAt: number;
}

/** All held erasures under one host-local key: they are rare (a host with a clock far ahead), so one record is enough. */
const HELD_KEY = 'held-tombstones';

export interface HeldTombstonesDeps {
  store: DocStore;
  logger: Logger;
  /** Applies an erasure that has come due (store.erase and the scrub after it). */
  erase: (peer: string, c: Collection, id: string, tomb: Tombstone) => Promise<void>;
  now?: () => number;
}

/**
 * No host's clock alone may destroy data elsewhere: a verified tombstone stamped further in the
 * future than MAX_CLOCK_SKEW_MS (a host whose clock runs ahead, e.g. 40 days, running its
 * retention sweep) is kept here, host-local, and applied only once this host's own clock reaches
 * its time. Meanwhile the document stays readable and recoverable here.
 */
export class HeldTombstones {
  private held = new Map<string, HeldTombstone>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private releasing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: HeldTombstonesDeps) {
    this.now = deps.now ?? Date.now;
  }

  async start(): Promise<void> {
    const saved = (await this.deps.store.getLocal<HeldTombstone[]>(HELD_KEY)) ?? [];
    this.held = new Map(saved.map((h) => [`${h.c}/${h.id}`, h]));
    this.timer = setInterval(() => void this.releaseDue(), HELD_TOMBSTONE_CHECK_MS);
    this.timer.unref();
    await this.releaseDue();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** True when this tombstone's time is beyond the skew bound of our clock. */
  isFuture(tomb: Tombstone): boolean {
    return tomb.erasedAt > this.now() + MAX_CLOCK_SKEW_MS;
  }

  /** Keeps a future-dated (already verified) erasure until it comes due. Idempotent. */
  async hold(peer: string, c: Collection, id: string, tomb: Tombstone): Promise<void> {
    const key = `${c}/${id}`;
    const known = this.held.get(key);
    // Of two erasures of one document, the earlier comes due first.
    if (known && known.tomb.erasedAt <= tomb.erasedAt) return;
    if (!known) this.deps.logger.warn({ peer, collection: c, id, erased_at: new Date(tomb.erasedAt).toISOString(), by: tomb.machine }, 'held an erasure dated in the future (the erasing host\'s clock is ahead); it applies when this clock reaches its time');
    this.held.set(key, { peer, c, id, tomb, heldAt: this.now() });
    await this.persist();
  }

  list(): HeldTombstone[] {
    return [...this.held.values()];
  }

  /** Applies the held erasures whose time this host's clock has reached. */
  releaseDue(): Promise<void> {
    this.releasing = this.releasing.then(async () => {
      const due = [...this.held.values()].filter((h) => !this.isFuture(h.tomb));
      if (due.length === 0) return;
      for (const h of due) {
        try {
          if (await this.recoveredSince(h)) this.deps.logger.info({ collection: h.c, id: h.id }, 'dropped a held retention erasure: the memory was recovered meanwhile');
          else if (!(await this.deps.store.tombstone(h.c, h.id))) await this.deps.erase(h.peer, h.c, h.id, h.tomb);
          this.held.delete(`${h.c}/${h.id}`);
        } catch (err) {
          this.deps.logger.warn({ collection: h.c, id: h.id, err: (err as Error).message }, 'could not apply a held erasure; retrying later');
        }
      }
      await this.persist();
      this.deps.logger.info({ applied: due.length }, 'applied held erasures that came due');
    });
    return this.releasing;
  }

  /**
   * A retention erasure is about a memory that was soft-deleted when the erasing host expired it.
   * If someone recovered the memory while the erasure was held (it was recoverable here all that
   * time), the erasure no longer applies. A hard delete is never dropped.
   */
  private async recoveredSince(h: HeldTombstone): Promise<boolean> {
    if (h.c !== 'memories' || h.tomb.reason !== RETENTION_ERASURE_REASON) return false;
    const doc = await this.deps.store.load<{ deleted?: boolean }>('memories', h.id);
    return doc !== undefined && doc.deleted === false;
  }

  private persist(): Promise<void> {
    return this.deps.store.putLocal(HELD_KEY, [...this.held.values()]);
  }
}
