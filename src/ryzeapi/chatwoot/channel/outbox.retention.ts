import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { OutboxRepository } from './outbox.repository.js';

const EVERY_MS = 60_000;

/** Bounds what unacknowledged events may pile up per instance; every drop is logged and counted. */
@Injectable()
export class OutboxRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRetention.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run().catch((err) => this.logger.error({ err }, 'retention failed')), EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<number> {
    const { retentionMaxEvents, retentionMaxAgeMs } = this.config.channel;
    const drops = await this.outbox.prune(retentionMaxEvents, retentionMaxAgeMs);
    // PostgreSQL's autovacuum keeps the outbox's statistics and dead rows in check; PGlite has none.
    if (!this.config.databaseUrl) await this.outbox.vacuum();
    for (const { instanceId, instance, dropped } of drops) {
      this.metrics.eventsDropped(instance, dropped);
      this.logger.warn({ instanceId, dropped, retentionMaxEvents, retentionMaxAgeMs }, 'dropped unacknowledged bridge events');
    }
    return drops.reduce((sum, d) => sum + d.dropped, 0);
  }
}
