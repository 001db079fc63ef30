import { createHmac, randomUUID } from 'node:crypto';

/** Chatwoot's inbox webhook timeout (Webhooks::Trigger, `timeout: 5`). */
export const WEBHOOK_TIMEOUT_MS = 5000;

export interface DeliveryOptions {
  /** Deliver the same event twice, as Chatwoot sometimes does ('concurrent': both at once). */
  duplicate?: boolean | 'concurrent';
  /** Sign with this secret (X-Chatwoot-Signature); the inbox's signing secret by default. */
  secret?: string;
  /** Forge the signature: a wrong one, a timestamp older than 5 minutes, or none at all. */
  tamper?: 'signature' | 'stale-timestamp' | 'unsigned';
  /** X-Chatwoot-Delivery to use (a new UUID per delivery by default; a duplicate is a delivery of its own). */
  deliveryId?: string;
  /** Try again this many times while the receiver answers 5xx or not at all, with the same X-Chatwoot-Delivery. */
  retries?: number;
  /** Wait between those tries (default 100 ms). */
  retryDelayMs?: number;
  /** Post here instead of the inbox's webhook URL (e.g. another inbox's event to the bridge's URL). */
  url?: string;
}

export interface DeliveryAttempt {
  url: string;
  event: string;
  deliveryId: string;
  /** The HTTP status, or 0 when no answer came (refused, reset, timed out). */
  status: number;
  durationMs: number;
  /** Why no answer came (e.g. 'timeout'). */
  error?: string;
  /** The body the receiver answered with (first 2,000 characters). */
  responseText?: string;
}

/** Posts webhook bodies as Chatwoot does: JSON, 5-second timeout, optionally signed, sometimes twice. */
export class WebhookSender {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  async deliver(url: string, body: Record<string, unknown>, options: DeliveryOptions = {}): Promise<DeliveryAttempt[]> {
    const raw = JSON.stringify(body);
    const send = () => this.track(this.withRetries(options.url ?? url, String(body.event ?? ''), raw, options));
    if (options.duplicate === 'concurrent') return Promise.all([send(), send()]);
    const first = await send();
    return options.duplicate ? [first, await send()] : [first];
  }

  /** Resolves once every delivery started so far has ended. */
  async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  /** One delivery: its last attempt is returned, every attempt is in `attempts`. */
  private async withRetries(url: string, event: string, raw: string, options: DeliveryOptions): Promise<DeliveryAttempt> {
    const deliveryId = options.deliveryId ?? randomUUID();
    let attempt = await this.post(url, event, raw, options, deliveryId);
    for (let left = options.retries ?? 0; left > 0 && (attempt.status === 0 || attempt.status >= 500); left--) {
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 100));
      attempt = await this.post(url, event, raw, options, deliveryId);
    }
    return attempt;
  }

  private async post(url: string, event: string, raw: string, options: DeliveryOptions, deliveryId: string): Promise<DeliveryAttempt> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'x-chatwoot-delivery': deliveryId };
    if (options.secret && options.tamper !== 'unsigned') {
      const staleBy = options.tamper === 'stale-timestamp' ? 6 * 60 : 0;
      const timestamp = String(Math.floor(Date.now() / 1000) - staleBy);
      const signature = signWebhook(options.tamper === 'signature' ? `${options.secret}-wrong` : options.secret, timestamp, raw);
      headers['x-chatwoot-signature'] = signature;
      headers['x-chatwoot-timestamp'] = timestamp;
    }
    const started = performance.now();
    const attempt: DeliveryAttempt = { url, event, deliveryId, status: 0, durationMs: 0 };
    try {
      const res = await fetch(url, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      attempt.status = res.status;
      attempt.responseText = (await res.text()).slice(0, 2000);
    } catch (error) {
      attempt.error = (error as Error).name === 'TimeoutError' ? 'timeout' : String((error as Error).cause ?? (error as Error).message);
    }
    attempt.durationMs = performance.now() - started;
    this.attempts.push(attempt);
    return attempt;
  }
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, Chatwoot's X-Chatwoot-Signature. */
export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}
