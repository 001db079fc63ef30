import { Controller, Get } from '@nestjs/common';
import { DatabaseHealthIndicator } from '../../shared/health/database-health.indicator.js';

/**
 * GET /health (and /health/ready, which the Docker image's HEALTHCHECK asks both applications):
 * 200 when the database answers, 503 otherwise. GET /health/live: the process answers. No token.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly database: DatabaseHealthIndicator) {}

  @Get()
  check() {
    return this.database.check();
  }

  @Get('ready')
  ready() {
    return this.database.check();
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }
}
