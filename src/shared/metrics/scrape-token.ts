import type { Request } from 'express';
import { secretEquals } from '../crypto/secret-compare.js';
import { extractToken } from '../http/extract-token.js';

/**
 * Why a scrape of GET /metrics is refused (answered 401), or undefined when it may go on: no
 * METRICS_TOKEN is set, or the request carries it (header `token`, `Authorization: Bearer` or
 * `?token=`), compared in constant time. Both applications use it, each in its own error body.
 */
export function scrapeRefusal(req: Pick<Request, 'headers' | 'query'>, expected: string | undefined): 'Missing token' | 'Invalid token' | undefined {
  if (expected === undefined) return undefined;
  const token = extractToken(req);
  if (!token) return 'Missing token';
  return secretEquals(token, expected) ? undefined : 'Invalid token';
}
