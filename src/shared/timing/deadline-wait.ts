/**
 * A wait until a deadline that costs no wake-up of its own while work keeps arriving: `poke()`,
 * called as work arrives, ends it once the deadline has passed, and the timer, set `graceMs` past
 * the deadline, fires only when nothing arrives meanwhile. Each timer wake of an otherwise idle
 * process costs 50-200 µs of CPU on a virtual machine; at a steady rate the arrivals are wakes
 * anyway, so the work rides on them.
 */
export class DeadlineWait {
  readonly done: Promise<void>;
  private finish!: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly deadline: number,
    graceMs: number,
  ) {
    this.done = new Promise<void>((resolve) => (this.finish = resolve));
    this.timer = setTimeout(() => this.end(), Math.max(0, deadline - performance.now()) + graceMs);
  }

  /** Work arrived: the wait ends if the deadline has passed. */
  poke(): void {
    if (performance.now() >= this.deadline) this.end();
  }

  /** Ends the wait now. */
  end(): void {
    clearTimeout(this.timer);
    this.finish();
  }
}
