import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { bearerMatches } from '../../../shared/crypto/secret-compare.js';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { AppConfig, type BridgeConfig } from '../../config/app-config.js';
import { InstancesService } from '../../instances/instances.service.js';
import { BRIDGE_CONFIG } from '../chatwoot.tokens.js';
import { BridgeConnection } from './bridge.connection.js';
import { ChatwootIntegrationsRepository } from '../chatwoot-integrations.repository.js';
import { CLOSE, scrubCommand } from '../../../shared/protocol/channel.frames.js';
import { ChannelHub } from './channel.hub.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { CommandExecutor } from './command.executor.js';
import { OutboxRepository } from './outbox.repository.js';
import { ChannelCluster } from './cluster/channel-cluster.js';

const PATH = /^\/ws\/chatwoot\/([^/?#]+)\/?(?:\?.*)?$/;

/**
 * The bridge channel at /ws/chatwoot/:instance. The stock WsAdapter matches literal paths only, so
 * this gateway takes the HTTP server's `upgrade` event itself: it authenticates and looks the
 * instance up before the handshake, answering 401 or 404 as plain HTTP.
 */
@Injectable()
export class BridgeGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BridgeGateway.name);
  private readonly wss: WebSocketServer;
  private readonly bridgeToken: string;
  private server?: Server;
  private stopping = false;
  private heartbeat?: NodeJS.Timeout;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
    @Inject(BRIDGE_CONFIG) bridge: BridgeConfig,
    private readonly instances: InstancesService,
    private readonly outbox: OutboxRepository,
    private readonly hub: ChannelHub,
    private readonly executor: CommandExecutor,
    private readonly integrations: ChatwootIntegrationsRepository,
    private readonly metrics: Metrics,
    private readonly cluster: ChannelCluster,
  ) {
    this.bridgeToken = bridge.token;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.channel.maxFrameBytes, perMessageDeflate: false });
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.hub.sweep(), this.config.channel.heartbeatMs).unref();
  }

  /** Acks still waiting for their coalesced write are stored here: the database may close in the next phase. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.server?.off('upgrade', this.onUpgrade);
    clearInterval(this.heartbeat);
    this.hub.closeAll(CLOSE.shutdown, 'server shutting down');
    await this.hub.acksSettled();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const match = PATH.exec(req.url ?? '');
    if (!match) return reject(socket, 404, 'route not found');
    if (!this.authorized(req.headers.authorization)) return reject(socket, 401, 'invalid bridge token');
    try {
      const name = safeDecode(match[1]);
      const instance = await this.instances.findByName(name);
      if (!instance) return reject(socket, 404, 'instance not found');
      if (!(await this.outbox.cursor(instance.id))) return reject(socket, 404, 'no chatwoot integration for this instance');
      if (this.stopping) return reject(socket, 503, 'server shutting down');
      // This connection becomes the instance's only one on all nodes; another node's socket is closed first.
      const connectionId = await this.cluster.acquire(instance.id);
      // Acks of the previous socket still being written must land first, or hello would report a stale cursor.
      await this.hub.acksSettled(instance.id);
      const cursor = await this.outbox.cursor(instance.id);
      if (!cursor) {
        this.cluster.closed(instance.id, connectionId);
        return reject(socket, 404, 'no chatwoot integration for this instance');
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('close', () => this.cluster.closed(instance.id, connectionId));
        // A newer connection (on any node) took the instance while this handshake was under way.
        if (!this.cluster.owns(instance.id, connectionId)) return ws.close(CLOSE.replaced, 'replaced by a newer connection');
        const ref = { id: instance.id, name: instance.name };
        const connection = new BridgeConnection(ref, ws, cursor.integrationId, cursor.lastAckedSeq, {
          baseUrl: this.config.baseUrl,
          window: this.config.channel.window,
          heartbeatMs: this.config.channel.heartbeatMs,
          maxBufferedBytes: this.config.channel.maxBufferedBytes,
          stallTimeoutMs: this.config.channel.stallTimeoutMs,
          read: (after, limit) => this.outbox.read(instance.id, after, limit),
          ack: (seq, count) => {
            this.metrics.eventsAcked(instance.name, count);
            this.hub.ack(instance.id, seq);
          },
          execute: async (command) => {
            const [current, apiToken] = await Promise.all([this.outbox.cursor(instance.id), this.integrations.apiToken(instance.id)]);
            // What the bridge sends is stored (sandbox messages, events): never with a secret in it.
            return this.executor.execute(ref, scrubCommand(command, [this.bridgeToken, apiToken]), current?.signMessages ?? false);
          },
        });
        ws.on('error', (error) => this.logger.warn({ instance: instance.name, reason: error.message }, 'bridge socket error'));
        ws.on('close', (code) => this.logger.log({ instance: instance.name, code }, 'bridge disconnected'));
        this.hub.add(instance.id, connection);
        this.logger.log({ instance: instance.name, lastAckedSeq: cursor.lastAckedSeq }, 'bridge connected');
        // An integration deleted while this handshake was under way closed no socket: look again.
        void this.outbox.cursor(instance.id).then(
          (current) => current || connection.close(CLOSE.deleted, 'integration deleted'),
          () => undefined,
        );
      });
    } catch (error) {
      this.logger.error({ err: error }, 'bridge upgrade failed');
      reject(socket, 500, 'internal error');
    }
  }

  private authorized(header: string | undefined): boolean {
    return bearerMatches(header, this.bridgeToken);
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function reject(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ success: false, error: { message } });
  const reason = { 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
