import { Injectable, Logger } from '@nestjs/common';
import type { Integration } from '../integrations/integration.entity.js';
import { ConversationResolver } from '../relay/conversation.resolver.js';
import { statusChangeOf, type ChatwootWebhookBody } from './webhook-payload.js';

export type StatusAnswer = { status: 'noted'; conversation_status: string; chats: number } | { status: 'ignored'; reason: string };

/**
 * `conversation_status_changed` on the inbox webhook (SPEC 13.3): a resolved conversation is no
 * longer where its chat's messages go, so the next one finds the contact's open conversation, reopens
 * the resolved one (reopenResolved) or opens a new one; a reopened one is taken back by a chat left
 * without one. Costs no Chatwoot call.
 */
@Injectable()
export class ConversationStatusService {
  private readonly logger = new Logger(ConversationStatusService.name);

  constructor(private readonly resolver: ConversationResolver) {}

  async apply(integration: Integration, body: ChatwootWebhookBody, deliveryId?: string): Promise<StatusAnswer> {
    const change = statusChangeOf(body, integration.inboxId);
    if ('ignored' in change) return { status: 'ignored', reason: change.ignored };
    const { conversationId, status, contactId } = change;
    const chats =
      status === 'resolved'
        ? await this.resolver.conversationResolved(integration, conversationId)
        : contactId
          ? await this.resolver.conversationReopened(integration, conversationId, contactId)
          : 0;
    if (chats) {
      const what = status === 'resolved' ? 'conversation resolved in Chatwoot: its chat looks again at its next message' : 'conversation reopened in Chatwoot: its chat writes to it again';
      this.logger.log({ integrationId: integration.id, deliveryId, conversationId, status, chats }, what);
    }
    return { status: 'noted', conversation_status: status, chats };
  }
}
