import type { Request } from 'express';

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
