import { HttpStatus, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../../config/app-config.js';
import { extractToken, hashToken } from '../../auth/token.util.js';
import { FixedWindowLimiter } from './fixed-window.limiter.js';

/**
 * Per-token limits (per client address when no token is sent), with the three X-RateLimit headers
 * on every response. Runs before routing so that unknown routes are counted and answered alike.
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware {
  private readonly general: FixedWindowLimiter;
  private readonly instanceNew: FixedWindowLimiter;

  constructor(config: AppConfig) {
    this.general = new FixedWindowLimiter(config.rateLimit.perMinute, 60_000);
    this.instanceNew = new FixedWindowLimiter(config.rateLimit.instanceNewPerMinute, 60_000);
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const token = extractToken(req);
    const key = token ? `t:${hashToken(token)}` : `ip:${req.ip}`;
    const path = req.originalUrl.split('?')[0].replace(/\/+$/, '').toLowerCase(); // Express routes ignore case
    const limiter = req.method === 'POST' && path === '/api/instance/new' ? this.instanceNew : this.general;
    const { allowed, remaining, resetAt } = limiter.take(key);
    res.setHeader('X-RateLimit-Limit', String(limiter.limit));
    res.setHeader('X-RateLimit-Remaining', String(remaining));
    res.setHeader('X-RateLimit-Reset', String(Math.ceil(resetAt / 1000)));
    if (allowed) return next();
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil((resetAt - Date.now()) / 1000))));
    res
      .status(HttpStatus.TOO_MANY_REQUESTS)
      .json({ success: false, error: { message: 'Rate limit exceeded. Try again later.' } });
  }
}
