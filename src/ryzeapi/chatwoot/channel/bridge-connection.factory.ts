import { Inject, Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { scrubCommand } from '../../../shared/protocol/channel.frames.js';
import { AppConfig, type BridgeConfig } from '../../config/app-config.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { ChatwootIntegrationsRepository } from '../chatwoot-integrations.repository.js';
import { BRIDGE_CONFIG } from '../chatwoot.tokens.js';
import { BridgeConnection } from './bridge.connection.js';
import type { AcceptedBridge } from './bridge.handshake.js';
import { ChannelHub } from './channel.hub.js';
import { HeldEventsBudget } from './held-events.budget.js';
import { CommandExecutor } from './command.executor.js';
import { ChannelCursorsRepository } from './channel-cursors.repository.js';
import { OutboxEventsRepository } from './outbox-events.repository.js';

/** Builds a bridge socket's connection, wired to the outbox, the hub's acks and the command executor. */
@Injectable()
export class BridgeConnectionFactory {
  constructor(
    private readonly config: AppConfig,
    @Inject(BRIDGE_CONFIG) private readonly bridge: BridgeConfig,
    private readonly events: OutboxEventsRepository,
    private readonly cursors: ChannelCursorsRepository,
    private readonly hub: ChannelHub,
    private readonly executor: CommandExecutor,
    private readonly integrations: ChatwootIntegrationsRepository,
    private readonly metrics: Metrics,
    private readonly held: HeldEventsBudget,
  ) {}

  create(ws: WebSocket, { instance, cursor }: AcceptedBridge): BridgeConnection {
    const { channel } = this.config;
    return new BridgeConnection(instance, ws, cursor.integrationId, cursor.lastAckedSeq, {
      baseUrl: this.config.baseUrl,
      window: channel.window,
      heartbeatMs: channel.heartbeatMs,
      maxBufferedBytes: channel.maxBufferedBytes,
      stallTimeoutMs: channel.stallTimeoutMs,
      held: this.held,
      read: (after, limit) => this.events.read(instance.id, after, limit),
      ack: (seq, count) => {
        this.metrics.eventsAcked(instance.name, count);
        this.hub.ack(instance.id, seq);
      },
      execute: async (command) => {
        const [current, apiToken] = await Promise.all([this.cursors.cursor(instance.id), this.integrations.apiToken(instance.id)]);
        // What the bridge sends is stored (sandbox messages, events): never with a secret in it.
        return this.executor.execute(instance, scrubCommand(command, [this.bridge.token, apiToken]), current?.signMessages ?? false);
      },
    });
  }
}
