import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';

/** Tokens are random and high-entropy, so one SHA-256 is enough to store and look them up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(prefix: 'acc' | 'ins'): string {
  return `ryz_${prefix}_${randomBytes(24).toString('base64url')}`;
}

/** Header `token` (preferred), then `Authorization: Bearer`, then `?token=`. */
export function extractToken(req: Pick<Request, 'headers' | 'query'>): string | undefined {
  const header = req.headers.token;
  if (typeof header === 'string' && header.trim()) return header.trim();
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1].trim();
  }
  const query = req.query?.token;
  if (typeof query === 'string' && query.trim()) return query.trim();
  return undefined;
}
