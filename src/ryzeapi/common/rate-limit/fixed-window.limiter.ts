/** Fixed-window counters in memory, one per key; expired windows are swept as new ones open. */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private nextSweep = 0;

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
  ) {}

  take(key: string, now = Date.now()): { allowed: boolean; remaining: number; resetAt: number } {
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    const allowed = window.count < this.limit;
    if (allowed) window.count++;
    return { allowed, remaining: this.limit - window.count, resetAt: window.resetAt };
  }

  /** True when the key has used its whole window (without counting this look). */
  exhausted(key: string, now = Date.now()): boolean {
    const window = this.windows.get(key);
    return !!window && window.resetAt > now && window.count >= this.limit;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.windowMs;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
