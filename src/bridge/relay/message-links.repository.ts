import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MessageLink } from './message-link.entity.js';

/** What a claim found: nothing (the write is ours to do), a write begun earlier, or a finished one. */
export type Claim = { state: 'new' } | { state: 'begun'; conversationId: number } | { state: 'written'; chatwootMessageId: number };

/** WhatsApp message id ↔ Chatwoot message id, per integration. Plain SQL: it runs for every message. */
@Injectable()
export class MessageLinksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Records that the message is about to be written to the conversation (chatwoot_message_id 0),
   * unless a link exists already: then says what it holds. One statement on the usual path.
   */
  async claim(integrationId: string, whatsappId: string, conversationId: number): Promise<Claim> {
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO bridge_message_links (integration_id, whatsapp_id, chatwoot_message_id, conversation_id)
       VALUES ($1, $2, 0, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [integrationId, whatsappId, conversationId],
    );
    if (inserted.length) return { state: 'new' };
    const link = await this.find(integrationId, whatsappId);
    if (!link) return this.claim(integrationId, whatsappId, conversationId);
    return link.chatwootMessageId ? { state: 'written', chatwootMessageId: link.chatwootMessageId } : { state: 'begun', conversationId: link.conversationId };
  }

  find(integrationId: string, whatsappId: string): Promise<MessageLink | null> {
    return this.db.getRepository(MessageLink).findOneBy({ integrationId, whatsappId });
  }

  findByChatwootId(integrationId: string, chatwootMessageId: number): Promise<MessageLink | null> {
    return this.db.getRepository(MessageLink).findOneBy({ integrationId, chatwootMessageId });
  }

  /** Records a message written to (or sent from) Chatwoot. */
  async record(integrationId: string, whatsappId: string, chatwootMessageId: number, conversationId: number): Promise<void> {
    await this.db.query(
      `INSERT INTO bridge_message_links (integration_id, whatsapp_id, chatwoot_message_id, conversation_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (integration_id, whatsapp_id) DO UPDATE SET chatwoot_message_id = EXCLUDED.chatwoot_message_id, conversation_id = EXCLUDED.conversation_id`,
      [integrationId, whatsappId, chatwootMessageId, conversationId],
    );
  }

  /** Moves a begun write to another conversation (the first one was deleted in Chatwoot). */
  async retarget(integrationId: string, whatsappId: string, conversationId: number): Promise<void> {
    await this.db.query(`UPDATE bridge_message_links SET conversation_id = $3 WHERE integration_id = $1 AND whatsapp_id = $2 AND chatwoot_message_id = 0`, [
      integrationId,
      whatsappId,
      conversationId,
    ]);
  }
}
