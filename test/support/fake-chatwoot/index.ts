/**
 * A fake Chatwoot for the bridge's tests, demo and benchmark: a real HTTP server on loopback that
 * keeps state, answers like Chatwoot's Application API and checks every request against Chatwoot's
 * OpenAPI document. See README.md.
 */
import { FakeChatwoot, type FakeChatwootOptions } from './server.js';

export { FakeChatwoot };
export type { AttachmentInput, FakeChatwootOptions, MessageInput, MessageResult, RequestLogEntry, Violation } from './server.js';
export type { DeliveryAttempt, DeliveryOptions } from './webhooks.js';
export { signWebhook, WEBHOOK_TIMEOUT_MS } from './webhooks.js';
export { loadChatwootDocument } from './openapi-document.js';
export type * from './types.js';

/** Starts a fake Chatwoot on 127.0.0.1 (random port), with one account, an administrator and an agent. */
export function startFakeChatwoot(options: FakeChatwootOptions = {}): Promise<FakeChatwoot> {
  return FakeChatwoot.start(options);
}
