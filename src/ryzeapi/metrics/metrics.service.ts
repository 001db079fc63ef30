import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config.js';

/** What the bridge channel reports at each scrape (the Chatwoot module provides it when enabled). */
export interface ChannelMetricsSource {
  openSockets(): number;
  /** Unacknowledged events: in all, or per instance name when METRICS_PER_INSTANCE is on. */
  backlog(perInstance: boolean): Promise<{ instance?: string; pending: number; oldestSeconds: number }[]>;
}

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one: tests
 * run several apps in one process). Counters are incremented where things happen; gauges that need
 * the database are computed at scrape time. Per-instance labels only with METRICS_PER_INSTANCE.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly perInstance: boolean;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly appended: Counter<string>;
  private readonly acked: Counter<string>;
  private readonly dropped: Counter<string>;
  private readonly commands: Counter<'outcome'>;
  private readonly pending: Gauge<string>;
  private readonly oldest: Gauge<string>;
  private channel?: ChannelMetricsSource;

  constructor(config: AppConfig) {
    this.perInstance = config.metrics.perInstance;
    const registers = [this.registry];
    const instanceLabel = this.perInstance ? ['instance'] : [];
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'ryzeapi_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: instanceLabel, registers });
    this.appended = counter('ryzeapi_events_appended_total', 'Events stored in the bridge outbox');
    this.acked = counter('ryzeapi_events_acked_total', 'Events acknowledged by the bridge');
    this.dropped = counter('ryzeapi_events_dropped_total', 'Unacknowledged events dropped by retention');
    this.commands = new Counter({ name: 'ryzeapi_commands_total', help: 'Bridge send commands by outcome (sent, duplicate, failed)', labelNames: ['outcome'], registers });
    for (const outcome of ['sent', 'duplicate', 'failed']) this.commands.inc({ outcome }, 0);

    const self = this;
    new Gauge({
      name: 'ryzeapi_bridge_sockets',
      help: 'Open bridge sockets',
      registers,
      collect() {
        this.set(self.channel?.openSockets() ?? 0);
      },
    });
    this.pending = new Gauge({ name: 'ryzeapi_outbox_pending_events', help: 'Unacknowledged bridge events', labelNames: instanceLabel, registers });
    this.oldest = new Gauge({
      name: 'ryzeapi_outbox_oldest_pending_seconds',
      help: 'Age of the oldest unacknowledged bridge event (0 when none)',
      labelNames: instanceLabel,
      registers,
    });
  }

  /** The text format; the backlog gauges (one query for both) are computed first. */
  async scrape(): Promise<string> {
    const rows = (await this.channel?.backlog(this.perInstance)) ?? [];
    this.pending.reset();
    this.oldest.reset();
    if (this.perInstance) {
      for (const { instance, pending, oldestSeconds } of rows) {
        this.pending.set({ instance: instance! }, pending);
        this.oldest.set({ instance: instance! }, oldestSeconds);
      }
    } else {
      this.pending.set(rows[0]?.pending ?? 0);
      this.oldest.set(rows[0]?.oldestSeconds ?? 0);
    }
    return this.registry.metrics();
  }

  useChannel(source: ChannelMetricsSource): void {
    this.channel = source;
  }

  eventsAppended(instance: string, count: number): void {
    if (this.perInstance) this.appended.inc({ instance }, count);
    else this.appended.inc(count);
  }

  eventsAcked(instance: string, count: number): void {
    if (this.perInstance) this.acked.inc({ instance }, count);
    else this.acked.inc(count);
  }

  eventsDropped(instance: string, count: number): void {
    if (this.perInstance) this.dropped.inc({ instance }, count);
    else this.dropped.inc(count);
  }

  command(outcome: 'sent' | 'duplicate' | 'failed'): void {
    this.commands.inc({ outcome });
  }
}
