/**
 * Writes one frame at a time to one client's stream. A frame queued under a key that already has
 * one waiting replaces it (the newest is kept, in last-queued order), so a client that reads
 * slowly or not at all (a suspended tab, whose socket stops taking bytes) holds at most one
 * waiting frame per key here, not one per commit for as long as it stays connected.
 */
export class CoalescingWriter {
  private readonly waiting = new Map<string, () => Promise<void>>();
  private writing = false;

  /** Frames waiting (at most one per key). */
  get pending(): number {
    return this.waiting.size;
  }

  send(key: string, write: () => Promise<void>): void {
    this.waiting.delete(key);
    this.waiting.set(key, write);
    if (!this.writing) void this.drain();
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      for (let next = this.waiting.entries().next(); !next.done; next = this.waiting.entries().next()) {
        const [key, write] = next.value;
        this.waiting.delete(key);
        // A write that fails (the client went away) ends nothing here: the stream's abort does.
        await Promise.resolve()
          .then(write)
          .catch(() => undefined);
      }
    } finally {
      this.writing = false;
    }
  }
}
