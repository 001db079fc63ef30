import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Chat } from './chat.entity.js';

/** WhatsApp chat → Chatwoot contact and conversation, per integration. */
@Injectable()
export class ChatsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  find(integrationId: string, jid: string): Promise<Chat | null> {
    return this.db.getRepository(Chat).findOneBy({ integrationId, jid });
  }

  findByConversation(integrationId: string, conversationId: number): Promise<Chat | null> {
    return this.db.getRepository(Chat).findOneBy({ integrationId, conversationId });
  }

  /** The integration got a new inbox: its contacts' inbox ids and its conversations belong to the old one. */
  async forgetAll(integrationId: string): Promise<void> {
    await this.db.getRepository(Chat).delete({ integrationId });
  }

  async save(chat: Chat): Promise<void> {
    await this.db.getRepository(Chat).upsert(chat, ['integrationId', 'jid']);
  }
}
