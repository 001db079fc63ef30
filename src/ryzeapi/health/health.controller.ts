import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RequireAccess } from '../auth/access.decorator.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { HealthDto } from './health.dto.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @RequireAccess('public')
  @ApiOkResponse({ type: HealthDto })
  @ApiErrors([503, '`database unavailable`'])
  async check(): Promise<HealthDto> {
    const started = performance.now();
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('database unavailable');
    }
    return { status: 'ok', database: { status: 'up', latency_ms: Math.round((performance.now() - started) * 100) / 100 }, uptime_s: Math.round(process.uptime()) };
  }
}
