import { Injectable } from '@nestjs/common';
import type { MessageExchangeData } from '../../shared/protocol/event-data.types.js';
import { ChatwootClient } from '../chatwoot/chatwoot.client.js';
import { ChatwootError } from '../chatwoot/chatwoot.error.js';
import type { NewMessage } from '../chatwoot/chatwoot.types.js';
import type { Integration } from '../integrations/integration.entity.js';
import { ConversationResolver } from './conversation.resolver.js';
import { accountOf } from './integration-account.js';
import { MediaDownloader, MediaUnavailableError } from './media.downloader.js';
import { MessageLinksRepository } from './message-links.repository.js';

export type WriteOutcome = 'written' | 'skipped';

/** Chatwoot's own record of where a message came from: lets a crashed write be found again. */
export const waSourceId = (whatsappId: string) => `WAID:${whatsappId}`;

/**
 * Writes one `message.exchange` to Chatwoot exactly once (SPEC 13.3). The link row is stored
 * before the Chatwoot call and completed after it; a redelivered event finds it complete and is
 * skipped, or finds it begun (the bridge stopped mid-write) and first looks for the message in
 * the conversation by its `WAID:` source id.
 */
@Injectable()
export class MessageWriter {
  constructor(
    private readonly chatwoot: ChatwootClient,
    private readonly resolver: ConversationResolver,
    private readonly links: MessageLinksRepository,
    private readonly media: MediaDownloader,
  ) {}

  /** `retried`: the conversation was found gone once already; a second 404 is the message's own. */
  async write(integration: Integration, data: MessageExchangeData, retried = false): Promise<WriteOutcome> {
    const { message, source } = data;
    // The bridge's own sends come back as echoes: they are in Chatwoot already.
    if (source === 'chatwoot') return 'skipped';
    if (message.chat.type === 'group' && integration.ignoreGroups) return 'skipped';
    const conversationId = await this.resolver.conversationFor(integration, message.chat);
    const claim = await this.links.claim(integration.id, message.id, conversationId);
    if (claim.state === 'written') return 'skipped';
    const sourceId = waSourceId(message.id);
    if (claim.state === 'begun') {
      // Begun by an earlier attempt that may have reached Chatwoot: look before writing again.
      const found = await this.findWritten(integration, [claim.conversationId, conversationId], sourceId);
      if (found) {
        await this.links.record(integration.id, message.id, found.id, found.conversationId);
        return 'written';
      }
      if (claim.conversationId !== conversationId) await this.links.retarget(integration.id, message.id, conversationId);
    }
    const body: NewMessage = {
      content: this.contentOf(data),
      message_type: message.direction === 'outgoing' ? 'outgoing' : 'incoming',
      source_id: sourceId,
    };
    try {
      const created = await this.post(integration, conversationId, body, data);
      await this.links.record(integration.id, message.id, created.id, conversationId);
      return 'written';
    } catch (error) {
      if (error instanceof ChatwootError && error.status === 404) {
        // The conversation was deleted in Chatwoot, or the inbox with it.
        const explained = await this.resolver.explain(integration, error);
        if (explained !== error || retried) throw explained;
        await this.resolver.forgetConversation(integration, message.chat.jid);
        return this.write(integration, data, true);
      }
      throw error;
    }
  }

  private async findWritten(integration: Integration, conversationIds: number[], sourceId: string): Promise<{ id: number; conversationId: number } | undefined> {
    for (const conversationId of new Set(conversationIds.filter(Boolean))) {
      const messages = await this.chatwoot.listMessages(accountOf(integration), conversationId).catch((error) => {
        if (error instanceof ChatwootError && error.status === 404) return []; // that conversation is gone
        throw error;
      });
      const found = messages.find((m) => m.source_id === sourceId);
      if (found) return { id: found.id, conversationId };
    }
    return undefined;
  }

  private async post(integration: Integration, conversationId: number, body: NewMessage, data: MessageExchangeData) {
    const acc = accountOf(integration);
    const media = data.message.media;
    if (!media) return this.chatwoot.createMessage(acc, conversationId, body);
    try {
      const file = await this.media.download(media, integration.ryzeapiBaseUrl);
      return await this.chatwoot.createMessageWithAttachment(acc, conversationId, body, file);
    } catch (error) {
      if (!(error instanceof MediaUnavailableError)) throw error;
      const note = `[${media.type} not available: ${error.message}]`;
      return this.chatwoot.createMessage(acc, conversationId, { ...body, content: body.content ? `${body.content}\n${note}` : note });
    }
  }

  /** The text (or media caption); in groups, prefixed with who wrote it. */
  private contentOf({ message }: MessageExchangeData): string {
    const text = message.content?.text || message.media?.caption || '';
    if (message.chat.type !== 'group' || message.direction === 'outgoing') return text;
    const number = message.sender.jid.split('@')[0].split(':')[0];
    return `${message.sender.name || number} (+${number}):\n${text}`;
  }
}
