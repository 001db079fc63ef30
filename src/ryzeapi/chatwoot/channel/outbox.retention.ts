import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClusterLocks } from '../../cluster/cluster-locks.js';
import { AppConfig } from '../../config/app-config.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { CommandLedgerRepository } from './command-ledger.repository.js';
import { OutboxEventsRepository } from './outbox-events.repository.js';

const EVERY_MS = 60_000;

/** Bounds what unacknowledged events may pile up per instance; every drop is logged and counted. */
@Injectable()
export class OutboxRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRetention.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly events: OutboxEventsRepository,
    private readonly ledger: CommandLedgerRepository,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly locks: ClusterLocks,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run().catch((err) => this.logger.error({ err }, 'retention failed')), EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** On one node at a time: a node that finds it running elsewhere skips this round (0). */
  async run(): Promise<number> {
    const round = await this.locks.tryRun('outbox-retention', () => this.prune());
    return round.ran ? round.value : 0;
  }

  private async prune(): Promise<number> {
    const { retentionMaxEvents, retentionMaxAgeMs } = this.config.channel;
    const drops = await this.events.prune(retentionMaxEvents, retentionMaxAgeMs);
    await this.ledger.prune(retentionMaxAgeMs);
    // PostgreSQL's autovacuum keeps the outbox's statistics and dead rows in check; PGlite has none.
    if (!this.config.databaseUrl) await this.events.vacuum();
    for (const { instanceId, instance, dropped } of drops) {
      this.metrics.eventsDropped(instance, dropped);
      this.logger.warn({ instanceId, dropped, retentionMaxEvents, retentionMaxAgeMs }, 'dropped unacknowledged bridge events');
    }
    return drops.reduce((sum, d) => sum + d.dropped, 0);
  }
}
