/**
 * Which events may be acknowledged: every seq up to `floor` is done (written or deliberately
 * skipped). Events finish out of order (chats run in parallel); the floor only moves over a
 * contiguous run of finished seqs.
 */
export class AckTracker {
  private floor = 0;
  private readonly finished = new Set<number>();
  private readonly started = new Set<number>();

  get done(): number {
    return this.floor;
  }

  /** RyzeAPI says everything up to `seq` is acknowledged already. */
  acknowledged(seq: number): void {
    if (seq <= this.floor) return;
    this.floor = seq;
    for (const s of this.finished) if (s <= seq) this.finished.delete(s);
    this.advance();
  }

  /** True the first time a seq is seen (not done, not in progress): it must be processed. */
  begin(seq: number): boolean {
    if (seq <= this.floor || this.finished.has(seq) || this.started.has(seq)) return false;
    this.started.add(seq);
    return true;
  }

  /** Returns the new floor. */
  finish(seq: number): number {
    this.started.delete(seq);
    if (seq > this.floor) this.finished.add(seq);
    this.advance();
    return this.floor;
  }

  /** A seq that will not be finished here (shutdown): it may come again. */
  abandon(seq: number): void {
    this.started.delete(seq);
  }

  private advance(): void {
    while (this.finished.delete(this.floor + 1)) this.floor++;
  }
}
