import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource } from 'typeorm';
import type { SendFrame } from '../../shared/protocol/channel.frames.js';
import { Command } from './command.entity.js';

export interface NewCommand {
  conversationId: number;
  chatwootMessageId: number;
  frame: SendFrame;
  /** Known to fail before it is sent (e.g. no recipient): stored straight away as a note to write. */
  failure?: string;
}

/** The bridge_commands table: agents' replies on their way to WhatsApp. */
@Injectable()
export class CommandsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Stores the commands of one reply in one transaction; ids already stored are left as they are. */
  async insertNew(integrationId: string, commands: NewCommand[]): Promise<number> {
    if (commands.length === 0) return 0;
    const result = await this.db
      .createQueryBuilder()
      .insert()
      .into(Command)
      .values(commands.map((c) => ({ integrationId, id: c.frame.id, conversationId: c.conversationId, chatwootMessageId: c.chatwootMessageId, frame: c.frame, ...(c.failure && { state: 'note' as const, error: c.failure }) })))
      .orIgnore()
      .returning(['id'])
      .execute();
    return result.raw?.length ?? 0;
  }

  find(integrationId: string, id: string): Promise<Command | null> {
    return this.db.getRepository(Command).findOneBy({ integrationId, id });
  }

  findByWhatsappId(integrationId: string, whatsappId: string): Promise<Command | null> {
    return this.db.getRepository(Command).findOneBy({ integrationId, whatsappId });
  }

  /** Commands still to send, in Chatwoot's order (its message ids grow), then in order of arrival. */
  pending(integrationId: string): Promise<Command[]> {
    return this.db.getRepository(Command).find({ where: { integrationId, state: 'pending' }, order: { chatwootMessageId: 'ASC', position: 'ASC' } });
  }

  /** Commands still to send, of every integration. */
  countPending(): Promise<number> {
    return this.db.getRepository(Command).countBy({ state: 'pending' });
  }

  /** Failed commands whose private note is still to be written. */
  toNote(integrationId: string): Promise<Command[]> {
    return this.db.getRepository(Command).find({ where: { integrationId, state: 'note' }, order: { position: 'ASC' } });
  }

  /** Integrations with commands to send or notes to write. */
  async integrationsWithWork(): Promise<string[]> {
    const rows: { integration_id: string }[] = await this.db
      .getRepository(Command)
      .createQueryBuilder('c')
      .select('DISTINCT c.integration_id', 'integration_id')
      .where({ state: In(['pending', 'note']) })
      .getRawMany();
    return rows.map((r) => r.integration_id);
  }

  async succeeded(integrationId: string, id: string, whatsappId: string): Promise<void> {
    await this.db.getRepository(Command).update({ integrationId, id, state: 'pending' }, { state: 'done', whatsappId });
  }

  async failed(integrationId: string, id: string, error: string): Promise<void> {
    await this.db.getRepository(Command).update({ integrationId, id, state: 'pending' }, { state: 'note', error });
  }

  async noted(integrationId: string, id: string): Promise<void> {
    await this.db.getRepository(Command).update({ integrationId, id, state: 'note' }, { state: 'done' });
  }

  async setWhatsappId(integrationId: string, id: string, whatsappId: string): Promise<void> {
    await this.db.getRepository(Command).update({ integrationId, id }, { whatsappId });
  }

  async statusErrorNoted(integrationId: string, id: string): Promise<void> {
    await this.db.getRepository(Command).update({ integrationId, id }, { statusErrorNoted: true });
  }
}
