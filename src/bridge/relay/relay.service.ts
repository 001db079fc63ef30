import { Injectable } from '@nestjs/common';
import type { EventFrame } from '../../shared/protocol/channel.frames.js';
import type { MessageExchangeData, MessageStatusData } from '../../shared/protocol/event-data.types.js';
import { BridgeAppConfig } from '../config/bridge-config.js';
import type { Integration } from '../integrations/integration.entity.js';
import { IntegrationsRepository } from '../integrations/integrations.repository.js';
import { MessageWriter } from './message.writer.js';
import { RelayStream } from './relay.stream.js';

/**
 * Handles a `message.status` event (Chatwoot → WhatsApp, part 2). Runs in the chat's order; the
 * event is acked when the promise resolves; a throw is retried like any failed write.
 */
export type MessageStatusHandler = (integration: Integration, data: MessageStatusData, seq: number) => Promise<void>;

/** Handles the echo of a bridge's own send (`source` chatwoot), which is not written to Chatwoot; like MessageStatusHandler. */
export type EchoHandler = (integration: Integration, data: MessageExchangeData) => Promise<void>;

/** WhatsApp → Chatwoot: builds each integration's RelayStream and routes its events by kind. */
@Injectable()
export class RelayService {
  private statusHandler?: MessageStatusHandler;
  private echoHandler?: EchoHandler;

  constructor(
    private readonly config: BridgeAppConfig,
    private readonly writer: MessageWriter,
    private readonly integrations: IntegrationsRepository,
  ) {}

  /** Registers the handler of `message.status` events (one; without it they are skipped). */
  onMessageStatus(handler: MessageStatusHandler): void {
    this.statusHandler = handler;
  }

  /** Registers the handler of echoes (one; without it they are only skipped). */
  onEcho(handler: EchoHandler): void {
    this.echoHandler = handler;
  }

  stream(integration: Integration, ack: (seq: number) => void): RelayStream {
    const stream: RelayStream = new RelayStream(integration, {
      handle: (current, frame) => this.handle(current, frame),
      ack,
      problem: async (problem, lastError) => {
        Object.assign(stream.integration, { problem, lastError });
        await this.integrations.setProblem(integration.id, problem, lastError);
      },
      skipped: async (lastError) => {
        stream.integration.lastError = lastError;
        await this.integrations.setLastError(integration.id, lastError);
      },
      retry: { initialMs: this.config.channel.retryInitialMs, maxMs: this.config.channel.retryMaxMs },
    });
    return stream;
  }

  private async handle(integration: Integration, frame: EventFrame): Promise<void> {
    switch (frame.event) {
      case 'message.exchange':
        if (frame.data.source === 'chatwoot') await this.echoHandler?.(integration, frame.data);
        await this.writer.write(integration, frame.data);
        return;
      case 'message.status':
        await this.statusHandler?.(integration, frame.data, frame.seq);
        return;
      default:
        return; // instance.state: nothing to write
    }
  }
}
