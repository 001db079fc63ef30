import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { databaseHealth } from '../../shared/health/database-health.js';

/** GET /health: 200 when the database answers, 503 otherwise. No token. */
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  check() {
    return databaseHealth(this.db);
  }
}
