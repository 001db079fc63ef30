import { ServiceUnavailableException } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/** The body of GET /health, for both applications: 200 when the database answers, 503 otherwise. */
export async function databaseHealth(db: DataSource) {
  const started = performance.now();
  try {
    await db.query('SELECT 1');
  } catch {
    throw new ServiceUnavailableException('database unavailable');
  }
  return { status: 'ok' as const, database: { status: 'up' as const, latency_ms: Math.round((performance.now() - started) * 100) / 100 }, uptime_s: Math.round(process.uptime()) };
}
