/**
 * Runs tasks one at a time; a task requested while one runs is coalesced with any other waiting
 * request into a single next run. Used for erasure scrubs, where one pass covers every erase before it.
 */
export class Serializer {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  run(task: () => Promise<void>): Promise<void> {
    if (!this.running) {
      this.running = task().finally(() => (this.running = undefined));
      return this.running;
    }
    this.next ??= this.running.catch(() => undefined).then(() => {
      this.next = undefined;
      return this.run(task);
    });
    return this.next;
  }

  async idle(): Promise<void> {
    while (this.running || this.next) await (this.next ?? this.running)?.catch(() => undefined);
  }
}
