import { Injectable, OnModuleInit } from '@nestjs/common';
import { Metrics, type ChannelMetricsSource } from '../../metrics/metrics.service.js';
import { ChannelHub } from './channel.hub.js';
import { OutboxEventsRepository } from './outbox-events.repository.js';

/** Gives /metrics the bridge channel's gauges, read at scrape time. */
@Injectable()
export class ChannelMetrics implements ChannelMetricsSource, OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly hub: ChannelHub,
    private readonly events: OutboxEventsRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.useChannel(this);
  }

  openSockets(): number {
    return this.hub.size;
  }

  backlog(perInstance: boolean) {
    return this.events.backlog(perInstance);
  }
}
