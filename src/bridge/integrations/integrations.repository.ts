import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Not, type DataSource } from 'typeorm';
import { Chat } from '../relay/chat.entity.js';
import { MessageLink } from '../relay/message-link.entity.js';
import { Command } from '../replies/command.entity.js';
import { Integration } from './integration.entity.js';

/** The bridge_integrations table, and the removal of everything kept for one integration. */
@Injectable()
export class IntegrationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  find(id: string): Promise<Integration | null> {
    return this.db.getRepository(Integration).findOneBy({ id });
  }

  /** Every integration whose socket should be open. */
  resumable(): Promise<Integration[]> {
    return this.db.getRepository(Integration).find({ where: { problem: Not('ryzeapi' as const) }, order: { createdAt: 'ASC' } });
  }

  save(integration: Integration): Promise<Integration> {
    return this.db.getRepository(Integration).save(integration);
  }

  async setProblem(id: string, problem: Integration['problem'], lastError: string): Promise<void> {
    await this.db.getRepository(Integration).update({ id }, { problem, lastError });
  }

  async setLastError(id: string, lastError: string): Promise<void> {
    await this.db.getRepository(Integration).update({ id }, { lastError });
  }

  /** The integration, its chats, message links and commands, in one transaction. */
  async remove(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.getRepository(MessageLink).delete({ integrationId: id });
      await tx.getRepository(Command).delete({ integrationId: id });
      await tx.getRepository(Chat).delete({ integrationId: id });
      await tx.getRepository(Integration).delete({ id });
    });
  }
}
