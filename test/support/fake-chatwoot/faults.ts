/** How the fake misbehaves, for tests and the benchmark. Applies to the Application API, not to media. */

export type Outage =
  | { mode: 'refuse' }
  | { mode: 'reset' }
  | { mode: 'http'; status: number }
  | { mode: 'hang' };

export interface FailRule {
  remaining: number;
  status: number;
  body: unknown;
  method?: string;
  /** Matches the path (without query): a substring or a regular expression. */
  path?: string | RegExp;
}

export type Decision =
  | { kind: 'pass' }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'answer'; status: number; body: unknown; headers?: Record<string, string> };

export class Faults {
  /** Added before every API answer (the benchmark's 20 ms). */
  latencyMs = 0;
  outage: Outage | null = null;
  private rateLimited = 0;
  private retryAfterSeconds = 1;
  private readonly rules: FailRule[] = [];

  rateLimit(count: number, retryAfterSeconds: number): void {
    this.rateLimited = count;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  failNext(rule: FailRule): void {
    this.rules.push(rule);
  }

  clear(): void {
    this.latencyMs = 0;
    this.outage = null;
    this.rateLimited = 0;
    this.rules.length = 0;
  }

  /** What to do with this request (consumes one rate-limit or fail-next slot when it applies). */
  decide(method: string, path: string): Decision {
    const outage = this.outage;
    if (outage?.mode === 'reset' || outage?.mode === 'refuse') return { kind: 'reset' };
    if (outage?.mode === 'hang') return { kind: 'hang' };
    if (outage?.mode === 'http') return { kind: 'answer', status: outage.status, body: { error: 'Service Unavailable' } };
    if (this.rateLimited > 0) {
      this.rateLimited--;
      // Rack::Attack's throttled answer (plain text), with its Retry-After header.
      return { kind: 'answer', status: 429, body: 'Retry later\n', headers: { 'retry-after': String(this.retryAfterSeconds) } };
    }
    const index = this.rules.findIndex(
      (rule) =>
        (!rule.method || rule.method.toUpperCase() === method) &&
        (!rule.path || (typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path))),
    );
    if (index >= 0) {
      const rule = this.rules[index];
      if (--rule.remaining <= 0) this.rules.splice(index, 1);
      return { kind: 'answer', status: rule.status, body: rule.body };
    }
    return { kind: 'pass' };
  }
}
