import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Chat } from './chat.entity.js';

const key = (integrationId: string, jid: string) => `${integrationId}\u0000${jid}`;

interface Cached {
  chat: Chat;
  /** When the chat's conversation was last known live in Chatwoot (ms); 0: not since this process loaded it. */
  confirmedAt: number;
}

/**
 * WhatsApp chat → Chatwoot contact and conversation, per integration. Known chats are kept in
 * memory too (the bridge is their only writer): a message to a known chat costs no lookup.
 */
@Injectable()
export class ChatsRepository {
  private readonly cache = new Map<string, Cached>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(integrationId: string, jid: string): Promise<Chat | null> {
    const cached = this.cache.get(key(integrationId, jid));
    if (cached) return { ...cached.chat };
    const chat = await this.db.getRepository(Chat).findOneBy({ integrationId, jid });
    if (chat) this.cache.set(key(integrationId, jid), { chat, confirmedAt: 0 });
    return chat && { ...chat };
  }

  findByConversation(integrationId: string, conversationId: number): Promise<Chat | null> {
    return this.db.getRepository(Chat).findOneBy({ integrationId, conversationId });
  }

  /** When the chat's conversation was last known live (ms since the epoch; 0: not since the bridge started). */
  confirmedAt(integrationId: string, jid: string): number {
    return this.cache.get(key(integrationId, jid))?.confirmedAt ?? 0;
  }

  /** The chat's conversation was just seen live in Chatwoot. */
  confirm(integrationId: string, jid: string): void {
    const cached = this.cache.get(key(integrationId, jid));
    if (cached) cached.confirmedAt = Date.now();
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

  /** The chats writing to this conversation keep their contact but no longer its conversation; returns how many. */
  releaseConversation(integrationId: string, conversationId: number): Promise<number> {
    return this.setConversation({ integrationId, conversationId }, 0);
  }

  /** The contact's chats that have no conversation take this one; returns how many. */
  adoptConversation(integrationId: string, contactId: number, conversationId: number): Promise<number> {
    return this.setConversation({ integrationId, contactId, conversationId: 0 }, conversationId);
  }

  async save(chat: Chat): Promise<void> {
    await this.db.getRepository(Chat).upsert(chat, ['integrationId', 'jid']);
    this.cache.set(key(chat.integrationId, chat.jid), { chat: { ...chat }, confirmedAt: Date.now() });
  }

  private async setConversation(where: Partial<Chat> & { integrationId: string }, conversationId: number): Promise<number> {
    const result = await this.db.createQueryBuilder().update(Chat).set({ conversationId }).where(where).returning(['jid']).execute();
    const jids = ((result.raw ?? []) as { jid: string }[]).map((row) => row.jid);
    for (const jid of jids) {
      // Chatwoot just said what the conversation is: as good as a confirmation.
      const cached = this.cache.get(key(where.integrationId, jid));
      if (cached) Object.assign(cached, { chat: { ...cached.chat, conversationId }, confirmedAt: Date.now() });
    }
    return jids.length;
  }
}
