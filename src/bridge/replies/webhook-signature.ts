import { createHmac } from 'node:crypto';
import { secretEquals } from '../../shared/crypto/secret-compare.js';

/** Chatwoot's signed deliveries older (or further in the future) than this are refused: replays. */
export const SIGNATURE_MAX_AGE_SECONDS = 5 * 60;

/**
 * Checks Chatwoot's inbox webhook signature (4.13+): `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256
 * of "<X-Chatwoot-Timestamp>.<raw body>">`. Returns why it is refused, or null when it is valid.
 */
export function signatureProblem(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  rawBody: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): string | null {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return 'the delivery is not signed (X-Chatwoot-Signature and X-Chatwoot-Timestamp are required)';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_MAX_AGE_SECONDS) {
    return 'X-Chatwoot-Timestamp is more than 5 minutes away from now';
  }
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
  return secretEquals(signature.trim().toLowerCase(), expected) ? null : 'X-Chatwoot-Signature does not match';
}
