import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Chat } from './chat.entity.js';

const key = (integrationId: string, jid: string) => `${integrationId}\u0000${jid}`;

/**
 * WhatsApp chat → Chatwoot contact and conversation, per integration. Known chats are kept in
 * memory too (the bridge is their only writer): a message to a known chat costs no lookup.
 */
@Injectable()
export class ChatsRepository {
  private readonly cache = new Map<string, Chat>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(integrationId: string, jid: string): Promise<Chat | null> {
    const cached = this.cache.get(key(integrationId, jid));
    if (cached) return { ...cached };
    const chat = await this.db.getRepository(Chat).findOneBy({ integrationId, jid });
    if (chat) this.cache.set(key(integrationId, jid), chat);
    return chat && { ...chat };
  }

  findByConversation(integrationId: string, conversationId: number): Promise<Chat | null> {
    return this.db.getRepository(Chat).findOneBy({ integrationId, conversationId });
  }

  /** The integration got a new inbox (or is deleted): its contacts' inbox ids and conversations belong to the old one. */
  async forgetAll(integrationId: string): Promise<void> {
    for (const k of this.cache.keys()) if (k.startsWith(`${integrationId}\u0000`)) this.cache.delete(k);
    await this.db.getRepository(Chat).delete({ integrationId });
  }

  /** Forgets one chat: its contact and conversation are looked up in Chatwoot again. */
  async forget(integrationId: string, jid: string): Promise<void> {
    this.cache.delete(key(integrationId, jid));
    await this.db.getRepository(Chat).delete({ integrationId, jid });
  }

  async save(chat: Chat): Promise<void> {
    await this.db.getRepository(Chat).upsert(chat, ['integrationId', 'jid']);
    this.cache.set(key(chat.integrationId, chat.jid), { ...chat });
  }
}
