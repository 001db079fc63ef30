import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The body of GET /health, for both applications: 200 when the database answers, 503 otherwise. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async check() {
    const started = performance.now();
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('database unavailable');
    }
    return { status: 'ok' as const, database: { status: 'up' as const, latency_ms: Math.round((performance.now() - started) * 100) / 100 }, uptime_s: Math.round(process.uptime()) };
  }
}
