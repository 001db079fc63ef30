/**
 * Group commit: items added while a batch is being written go together in the next one, so many
 * concurrent writers cost one round trip each time instead of one each. The first item of a quiet
 * period is written at once (no added latency).
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve(o: O): void; reject(e: unknown): void }[] = [];
  private running = false;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]));
      } catch (error) {
        batch.forEach((b) => b.reject(error));
      }
    }
    this.running = false;
  }
}
