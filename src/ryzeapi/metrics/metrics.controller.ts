import { Controller, Get, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { scrapeRefusal } from '../../shared/metrics/scrape-token.js';
import { RequireAccess } from '../auth/access.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { Metrics } from './metrics.service.js';

/** GET /metrics in Prometheus' text format; behind METRICS_TOKEN (header `token` or Bearer) when it is set. */
@ApiExcludeController()
@RequireAccess('public')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const refusal = scrapeRefusal(req, this.config.metrics.token);
    if (refusal) throw new UnauthorizedException(refusal);
    const text = await this.metrics.scrape();
    res.type(this.metrics.registry.contentType);
    return text;
  }
}
