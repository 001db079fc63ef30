import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { KeyedMutex } from '../../shared/concurrency/keyed-mutex.js';
import type { ResultFrame } from '../../shared/protocol/channel.frames.js';
import type { MessageExchangeData } from '../../shared/protocol/event-data.types.js';
import { RyzeApiChannel } from '../channel/ryzeapi.channel.js';
import type { Integration } from '../integrations/integration.entity.js';
import { IntegrationsRepository } from '../integrations/integrations.repository.js';
import { BridgeMetrics } from '../metrics/bridge-metrics.service.js';
import { MessageLinksRepository } from '../relay/message-links.repository.js';
import { CommandsRepository } from './commands.repository.js';
import { ReplyNotesService } from './reply-notes.service.js';

/** A command sent without a result for this long is sent again (RyzeAPI repeats the first result of an id). */
const RESEND_AFTER_MS = 30_000;
/** How often stored work is looked at again: commands after a lost result, notes Chatwoot could not take. */
const SWEEP_MS = 5_000;

interface InFlight {
  id: string;
  sentAt: number;
}

/**
 * Sends the stored commands to RyzeAPI (SPEC 13.4): while the integration's socket is up, again
 * after every reconnection, until a `result` comes; one command per conversation at a time, in
 * order of arrival. Results complete them: the WhatsApp id is linked to the Chatwoot message, or
 * the failure becomes a private note.
 */
@Injectable()
export class CommandDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CommandDispatcher.name);
  private readonly mutex = new KeyedMutex();
  /** Per integration, per conversation: the command on its way. */
  private readonly inFlight = new Map<string, Map<number, InFlight>>();
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly channel: RyzeApiChannel,
    private readonly commands: CommandsRepository,
    private readonly links: MessageLinksRepository,
    private readonly notes: ReplyNotesService,
    private readonly integrations: IntegrationsRepository,
    private readonly metrics: BridgeMetrics,
  ) {}

  /** Before the channel opens its sockets (at application bootstrap): no `hello` can come first. */
  onModuleInit(): void {
    this.channel.onConnected((integrationId) => {
      this.inFlight.delete(integrationId); // a new socket: whatever was on its way is sent again
      this.kick(integrationId);
      void this.notes.flush(integrationId).catch((error) => this.warn(integrationId, error));
    });
    this.channel.onResult((integrationId, frame) => void this.onResult(integrationId, frame).catch((error) => this.warn(integrationId, error)));
    this.channel.onEcho((integration, data) => this.onEcho(integration, data));
    this.channel.onMessageStatus((integration, data) => this.notes.statusError(integration, data));
    this.metrics.usePendingCommands(() => this.commands.countPending());
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweepTimer);
  }

  /** Sends what can be sent now for the integration (never throws). */
  kick(integrationId: string): void {
    void this.mutex.run(integrationId, () => this.dispatch(integrationId)).catch((error) => this.warn(integrationId, error));
  }

  private async dispatch(integrationId: string): Promise<void> {
    if (!this.channel.isOpen(integrationId)) return;
    const flights = this.flightsOf(integrationId);
    const heads = new Map<number, (typeof pending)[number]>();
    const pending = await this.commands.pending(integrationId);
    for (const command of pending) if (!heads.has(command.conversationId)) heads.set(command.conversationId, command);
    for (const [conversationId, command] of heads) {
      const flight = flights.get(conversationId);
      if (flight?.id === command.id && Date.now() - flight.sentAt < RESEND_AFTER_MS) continue;
      if (!this.channel.send(integrationId, command.frame)) return;
      flights.set(conversationId, { id: command.id, sentAt: Date.now() });
    }
  }

  private async onResult(integrationId: string, frame: ResultFrame): Promise<void> {
    await this.mutex.run(integrationId, async () => {
      const command = await this.commands.find(integrationId, frame.id);
      if (!command) return; // not one of ours
      const flights = this.flightsOf(integrationId);
      if (flights.get(command.conversationId)?.id === command.id) flights.delete(command.conversationId);
      if (command.state !== 'pending') return; // a repeated result
      if (frame.ok) {
        await this.links.record(integrationId, frame.message_id, command.chatwootMessageId, command.conversationId);
        await this.commands.succeeded(integrationId, command.id, frame.message_id);
      } else {
        const integration = await this.integrations.find(integrationId);
        await this.commands.failed(integrationId, command.id, integration ? this.notes.scrub(frame.error, integration) : 'send failed');
        this.logger.warn({ integrationId, commandId: command.id }, 'an agent reply was not sent to WhatsApp; noting it in the conversation');
      }
    });
    if (!frame.ok) void this.notes.flush(integrationId).catch((error) => this.warn(integrationId, error));
    this.kick(integrationId);
  }

  /**
   * The `message.exchange` of a message sent for a command (`source` chatwoot, `command_id`): not
   * written to Chatwoot (it is there already), but linked, so that its status events find it even
   * when they come before the `result`.
   */
  private async onEcho(integration: Integration, data: MessageExchangeData): Promise<void> {
    if (!data.command_id) return;
    const command = await this.commands.find(integration.id, data.command_id);
    if (!command || command.whatsappId) return;
    await this.links.record(integration.id, data.message.id, command.chatwootMessageId, command.conversationId);
    await this.commands.setWhatsappId(integration.id, command.id, data.message.id);
  }

  private async sweep(): Promise<void> {
    try {
      for (const integrationId of await this.commands.integrationsWithWork()) {
        this.kick(integrationId);
        await this.notes.flush(integrationId);
      }
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'reply sweep failed; next one in a few seconds');
    }
  }

  private flightsOf(integrationId: string): Map<number, InFlight> {
    let flights = this.inFlight.get(integrationId);
    if (!flights) this.inFlight.set(integrationId, (flights = new Map()));
    return flights;
  }

  private warn(integrationId: string, error: unknown): void {
    this.logger.warn({ integrationId, reason: (error as Error)?.message ?? String(error) }, 'reply dispatch failed; retried by the next sweep');
  }
}
