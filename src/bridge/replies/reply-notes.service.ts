import { Injectable, Logger } from '@nestjs/common';
import { scrubSecrets } from '../../shared/text/secret-scrubber.js';
import type { MessageStatusData } from '../../shared/protocol/event-data.types.js';
import { ChatwootClient } from '../chatwoot/chatwoot.client.js';
import { ChatwootError } from '../chatwoot/chatwoot.error.js';
import { BridgeAppConfig } from '../config/bridge-config.js';
import type { Integration } from '../integrations/integration.entity.js';
import { IntegrationsRepository } from '../integrations/integrations.repository.js';
import { KeyedMutex } from '../../shared/concurrency/keyed-mutex.js';
import { accountOf } from '../relay/integration-account.js';
import { CommandsRepository } from './commands.repository.js';

/**
 * Private notes that tell the agent a reply did not reach the customer (SPEC 13.4): a failed
 * `result`, or a `message.status` `error` for a message sent from Chatwoot. Each is written once.
 */
@Injectable()
export class ReplyNotesService {
  private readonly logger = new Logger(ReplyNotesService.name);
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly config: BridgeAppConfig,
    private readonly commands: CommandsRepository,
    private readonly integrations: IntegrationsRepository,
    private readonly chatwoot: ChatwootClient,
  ) {}

  /** RyzeAPI's error, with no secret of the bridge's or of the integration's in it. */
  scrub(error: string, integration: Integration): string {
    return scrubSecrets(error, [this.config.token, integration.chatwootApiToken, integration.webhookSecret, integration.webhookSigningSecret]).slice(0, 1000);
  }

  /** Writes the notes of failed commands; those Chatwoot cannot take now stay for the next flush. */
  flush(integrationId: string): Promise<void> {
    return this.mutex.run(integrationId, async () => {
      const failed = await this.commands.toNote(integrationId);
      if (failed.length === 0) return;
      const integration = await this.integrations.find(integrationId);
      if (!integration) return;
      for (const command of failed) {
        const what = command.frame.media ? `The attachment ${command.frame.media.file_name ?? ''}`.trimEnd() : 'This reply';
        const written = await this.write(integration, command.conversationId, `⚠️ ${what} was not delivered to WhatsApp: ${command.error}`);
        if (!written) return;
        await this.commands.noted(integrationId, command.id);
      }
    });
  }

  /** A `message.status` `error` for a message the bridge sent: a note, once. Throws to be retried. */
  async statusError(integration: Integration, data: MessageStatusData): Promise<void> {
    if (data.status !== 'error') return;
    const command = await this.commands.findByWhatsappId(integration.id, data.message_id);
    if (!command || command.statusErrorNoted) return;
    await this.post(integration, command.conversationId, '⚠️ WhatsApp reported that this reply could not be delivered to the customer.');
    await this.commands.statusErrorNoted(integration.id, command.id);
  }

  /** True when written, or when Chatwoot refused it for good (logged: retrying cannot help). */
  private async write(integration: Integration, conversationId: number, content: string): Promise<boolean> {
    try {
      await this.post(integration, conversationId, content);
      return true;
    } catch (error) {
      if (error instanceof ChatwootError && !error.transient && !error.credentials) {
        this.logger.warn({ integrationId: integration.id, conversationId, reason: error.message }, 'Chatwoot refused a delivery-failure note; dropped');
        return true;
      }
      this.logger.warn({ integrationId: integration.id, conversationId, reason: (error as Error).message }, 'delivery-failure note not written yet; will retry');
      return false;
    }
  }

  private async post(integration: Integration, conversationId: number, content: string): Promise<void> {
    await this.chatwoot.createMessage(accountOf(integration), conversationId, { content, message_type: 'outgoing', private: true });
  }
}
