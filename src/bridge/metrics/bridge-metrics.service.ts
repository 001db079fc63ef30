import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What became of one inbox webhook delivery. */
export type WebhookOutcome = 'accepted' | 'duplicate' | 'ignored' | 'noted' | 'refused' | 'failed';
const OUTCOMES: WebhookOutcome[] = ['accepted', 'duplicate', 'ignored', 'noted', 'refused', 'failed'];

/**
 * The bridge's Prometheus metrics, in a registry of its own (tests run RyzeAPI and the bridge in
 * one process). Labels hold only bounded values: Chatwoot's HTTP status, a webhook outcome; never
 * an integration, a URL or a path (they carry secrets and would make one series each).
 */
@Injectable()
export class BridgeMetrics {
  readonly registry = new Registry();
  private readonly chatwootRequests: Counter<'status'>;
  private readonly chatwootDuration: Histogram<string>;
  private readonly webhooks: Counter<'outcome'>;
  private openSockets: () => number = () => 0;
  private pendingCommands: () => Promise<number> = async () => 0;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.chatwootRequests = new Counter({
      name: 'ryzeapi_bridge_chatwoot_requests_total',
      help: "Requests to Chatwoot's Application API by Chatwoot's HTTP status (0: no answer: unreachable, refused, timed out)",
      labelNames: ['status'],
      registers,
    });
    this.chatwootDuration = new Histogram({
      name: 'ryzeapi_bridge_chatwoot_request_duration_seconds',
      help: 'Duration of one request to Chatwoot (without the wait for a slot under CHATWOOT_MAX_IN_FLIGHT)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.webhooks = new Counter({
      name: 'ryzeapi_bridge_webhooks_total',
      help: 'Inbox webhook deliveries by outcome (accepted, duplicate, ignored, noted, refused, failed)',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of OUTCOMES) this.webhooks.inc({ outcome }, 0);
    const self = this;
    new Gauge({
      name: 'ryzeapi_bridge_ryzeapi_sockets',
      help: 'Open sockets to RyzeAPI (one per active integration when all is well)',
      registers,
      collect() {
        this.set(self.openSockets());
      },
    });
    new Gauge({
      name: 'ryzeapi_bridge_pending_commands',
      help: "Agents' replies stored and not yet answered by RyzeAPI",
      registers,
      async collect() {
        this.set(await self.pendingCommands());
      },
    });
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** Starts timing one request to Chatwoot; call the result with Chatwoot's status (0: no answer). */
  chatwootRequest(): (status: number) => void {
    const end = this.chatwootDuration.startTimer();
    return (status) => {
      end();
      this.chatwootRequests.inc({ status: String(status) });
    };
  }

  webhook(outcome: WebhookOutcome): void {
    this.webhooks.inc({ outcome });
  }

  /** The gauges read at each scrape, from the parts that know them. */
  useSockets(count: () => number): void {
    this.openSockets = count;
  }

  usePendingCommands(count: () => Promise<number>): void {
    this.pendingCommands = count;
  }
}
