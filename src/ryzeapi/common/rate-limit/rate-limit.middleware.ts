import { HttpStatus, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { extractToken, hashToken } from '../../auth/token.util.js';
import { RateLimits } from './rate-limits.js';

/**
 * Per-token limits (per client address when no token is sent), with the three X-RateLimit headers
 * on every response. Runs before routing so that unknown routes are counted and answered alike.
 */
export class RateLimitMiddleware {
  private readonly logger = new Logger(RateLimitMiddleware.name);

  constructor(private readonly limits: RateLimits) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const token = extractToken(req);
    const key = token ? `t:${hashToken(token)}` : `ip:${req.ip}`;
    const path = req.originalUrl.split('?')[0].replace(/\/+$/, '').toLowerCase(); // Express routes ignore case
    let taken;
    try {
      taken = await this.limits.take(req.method === 'POST' && path === '/api/instance/new' ? 'instanceNew' : 'general', key);
    } catch (error) {
      // The counters are in the database: when it is down, the request goes on (and /health says why).
      this.logger.warn({ reason: (error as Error).message }, 'rate limit not counted: its store failed');
      return next();
    }
    const { allowed, limit, remaining, resetAt } = taken;
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(remaining));
    res.setHeader('X-RateLimit-Reset', String(Math.ceil(resetAt / 1000)));
    if (allowed) return next();
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil((resetAt - Date.now()) / 1000))));
    res
      .status(HttpStatus.TOO_MANY_REQUESTS)
      .json({ success: false, error: { message: 'Rate limit exceeded. Try again later.' } });
  }
}
