import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { databaseHealth } from '../../shared/health/database-health.js';

/**
 * GET /health (and /health/ready, which the Docker image's HEALTHCHECK asks both applications):
 * 200 when the database answers, 503 otherwise. GET /health/live: the process answers. No token.
 */
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  check() {
    return databaseHealth(this.db);
  }

  @Get('ready')
  ready() {
    return databaseHealth(this.db);
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }
}
