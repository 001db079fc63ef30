import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RequireAccess } from '../auth/access.decorator.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @RequireAccess('public')
  async check() {
    const started = performance.now();
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('database unavailable');
    }
    return { status: 'ok', database: { status: 'up', latency_ms: Math.round((performance.now() - started) * 100) / 100 }, uptime_s: Math.round(process.uptime()) };
  }
}
