import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CLOSE, type ResultFrame, type SendFrame } from '../../shared/protocol/channel.frames.js';
import { BridgeAppConfig } from '../config/bridge-config.js';
import type { Integration } from '../integrations/integration.entity.js';
import { BridgeMetrics } from '../metrics/bridge-metrics.service.js';
import { IntegrationsRepository } from '../integrations/integrations.repository.js';
import type { RelayStream } from '../relay/relay.stream.js';
import { RelayService, type EchoHandler, type MessageStatusHandler } from '../relay/relay.service.js';
import { ChannelConnection } from './channel.connection.js';

export type ResultListener = (integrationId: string, frame: ResultFrame) => void;
export type ConnectedListener = (integrationId: string) => void;

interface Link {
  connection: ChannelConnection;
  stream: RelayStream;
  /** Why the socket is down, while it is. */
  down: string;
}

/**
 * The bridge's side of the channel: one socket per active integration to its `ryzeapi.ws_url`,
 * opened at activation and at start, closed at deletion. Events go to the relay; `send` frames and
 * their `result`s are the API of part 2 (Chatwoot → WhatsApp).
 */
@Injectable()
export class RyzeApiChannel implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RyzeApiChannel.name);
  private readonly links = new Map<string, Link>();
  private readonly resultListeners = new Set<ResultListener>();
  private readonly connectedListeners = new Set<ConnectedListener>();

  constructor(
    private readonly config: BridgeAppConfig,
    private readonly relay: RelayService,
    private readonly integrations: IntegrationsRepository,
    metrics: BridgeMetrics,
  ) {
    metrics.useSockets(() => [...this.links.values()].filter((link) => link.connection.open).length);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const integration of await this.integrations.resumable()) await this.open(integration);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.links.keys()].map((id) => this.close(id)));
  }

  /** Opens the integration's socket, or gives the open one the integration's new settings. */
  async open(integration: Integration): Promise<void> {
    const link = this.links.get(integration.id);
    if (link && !link.connection.ended && link.connection.url === integration.ryzeapiWsUrl) {
      Object.assign(link.stream.integration, integration);
      return;
    }
    // The old stream finishes its writes first: two streams must never write one event.
    if (link) await this.close(integration.id);
    const id = integration.id;
    let stream!: RelayStream;
    const connection = new ChannelConnection(
      { url: integration.ryzeapiWsUrl, token: this.config.token, backoffInitialMs: this.config.channel.backoffInitialMs, backoffMaxMs: this.config.channel.backoffMaxMs },
      {
        onHello: (frame) => {
          this.links.get(id)!.down = '';
          stream.hello(frame.last_acked_seq);
          this.connectedListeners.forEach((listener) => listener(id));
        },
        onEvent: (frame) => stream.push(frame),
        onResult: (frame) => this.resultListeners.forEach((listener) => listener(id, frame)),
        onDown: (info) => this.onDown(id, info),
      },
    );
    stream = this.relay.stream(integration, (seq) => connection.ack(seq));
    this.links.set(id, { connection, stream, down: 'connecting to RyzeAPI' });
    connection.start();
  }

  /** Closes the integration's socket for good (deletion, shutdown) and lets events in progress finish. */
  async close(integrationId: string): Promise<void> {
    const link = this.links.get(integrationId);
    if (!link) return;
    this.links.delete(integrationId);
    await link.connection.stop();
    await link.stream.stop();
  }

  /** Sends a frame on the integration's socket; false when it is not open (send again on `onConnected`). */
  send(integrationId: string, frame: SendFrame): boolean {
    return this.links.get(integrationId)?.connection.send(frame) ?? false;
  }

  isOpen(integrationId: string): boolean {
    return this.links.get(integrationId)?.connection.open ?? false;
  }

  /** Every `result` frame, from every socket. Returns the unsubscribe function. */
  onResult(listener: ResultListener): () => void {
    this.resultListeners.add(listener);
    return () => this.resultListeners.delete(listener);
  }

  /** Called after each `hello` (first connection and every reconnection). */
  onConnected(listener: ConnectedListener): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  /** `message.status` events, in their chat's order, acked when the handler resolves. */
  onMessageStatus(handler: MessageStatusHandler): void {
    this.relay.onMessageStatus(handler);
  }

  /** Echoes of the bridge's own sends (`source` chatwoot), in their chat's order; not written to Chatwoot. */
  onEcho(handler: EchoHandler): void {
    this.relay.onEcho(handler);
  }

  /** Live state for GET /v1/integrations/:id: why the socket is down, or Chatwoot's outage. */
  state(integrationId: string): { open: boolean; down: string; outage: string } {
    const link = this.links.get(integrationId);
    if (!link) return { open: false, down: 'not connected to RyzeAPI', outage: '' };
    return { open: link.connection.open, down: link.down, outage: link.stream.outage };
  }

  private onDown(id: string, info: { code: number; reason: string; reconnectInMs: number | null }): void {
    const link = this.links.get(id);
    if (!link) return;
    const url = link.connection.url;
    if (info.code === CLOSE.deleted) {
      link.down = 'RyzeAPI deleted this integration (close 4410): delete it here, or run POST /api/chatwoot/set again';
      void this.integrations.setProblem(id, 'ryzeapi', link.down).catch(() => undefined);
      void link.stream.stop();
    } else if (info.code === CLOSE.replaced) {
      link.down = 'another connection to RyzeAPI replaced this one (close 4409): restart the bridge or run POST /api/chatwoot/set to take it back';
    } else {
      link.down = `RyzeAPI unreachable at ${url} (${info.reason || `close ${info.code}`}); retrying in ${info.reconnectInMs} ms`;
    }
    this.logger.warn({ integrationId: id, code: info.code, reason: info.reason, reconnectInMs: info.reconnectInMs }, 'socket to RyzeAPI down');
  }
}
