import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MessageLink } from './message-link.entity.js';

/** WhatsApp message id ↔ Chatwoot message id, per integration. */
@Injectable()
export class MessageLinksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  find(integrationId: string, whatsappId: string): Promise<MessageLink | null> {
    return this.db.getRepository(MessageLink).findOneBy({ integrationId, whatsappId });
  }

  findByChatwootId(integrationId: string, chatwootMessageId: number): Promise<MessageLink | null> {
    return this.db.getRepository(MessageLink).findOneBy({ integrationId, chatwootMessageId });
  }

  /** A write about to happen (chatwootMessageId 0): after a crash, the bridge looks in Chatwoot first. */
  async begin(integrationId: string, whatsappId: string, conversationId: number): Promise<void> {
    await this.db.getRepository(MessageLink).upsert({ integrationId, whatsappId, conversationId, chatwootMessageId: 0 }, ['integrationId', 'whatsappId']);
  }

  /** Records a message written to (or sent from) Chatwoot. */
  async record(integrationId: string, whatsappId: string, chatwootMessageId: number, conversationId: number): Promise<void> {
    await this.db.getRepository(MessageLink).upsert({ integrationId, whatsappId, chatwootMessageId, conversationId }, ['integrationId', 'whatsappId']);
  }

  async forget(integrationId: string, whatsappId: string): Promise<void> {
    await this.db.getRepository(MessageLink).delete({ integrationId, whatsappId, chatwootMessageId: 0 });
  }
}
