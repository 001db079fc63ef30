import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { scrapeRefusal } from '../../shared/metrics/scrape-token.js';
import { BridgeHttpError } from '../common/bridge-http.error.js';
import { BridgeAppConfig } from '../config/bridge-config.js';
import { BridgeMetrics } from './bridge-metrics.service.js';

/** GET /metrics in Prometheus' text format; behind METRICS_TOKEN (header `token` or Bearer) when it is set. */
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: BridgeMetrics,
    private readonly config: BridgeAppConfig,
  ) {}

  @Get()
  async scrape(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const refusal = scrapeRefusal(req, this.config.metrics.token);
    if (refusal) throw new BridgeHttpError(401, refusal);
    const text = await this.metrics.scrape();
    res.type(this.metrics.registry.contentType);
    return text;
  }
}
