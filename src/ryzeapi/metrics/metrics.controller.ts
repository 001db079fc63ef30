import { Controller, Get, Header, UnauthorizedException, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { register } from 'prom-client';
import { RequireAccess } from '../auth/access.decorator.js';
import { extractToken } from '../auth/token.util.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from './metrics.service.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** GET /metrics in Prometheus' text format; behind METRICS_TOKEN (header `token` or Bearer) when it is set. */
@ApiExcludeController()
@RequireAccess('public')
@Controller('metrics')
export class MetricsController {
  private readonly expected?: Buffer;

  constructor(
    private readonly metrics: Metrics,
    config: AppConfig,
  ) {
    this.expected = config.metrics.token === undefined ? undefined : digest(config.metrics.token);
  }

  @Get()
  @Header('Content-Type', register.contentType)
  scrape(@Req() req: Request): Promise<string> {
    if (this.expected) {
      const token = extractToken(req);
      if (!token) throw new UnauthorizedException('Missing token');
      if (!timingSafeEqual(digest(token), this.expected)) throw new UnauthorizedException('Invalid token');
    }
    return this.metrics.scrape();
  }
}
