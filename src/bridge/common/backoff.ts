/** min(maxMs, initialMs * 2^attempt), times a random factor in [0.5, 1): exponential backoff with jitter. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.round(Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30)) * (0.5 + Math.random() / 2));
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds, capped at 5 minutes. */
export function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string' || !header.trim()) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 300_000) : undefined;
}
