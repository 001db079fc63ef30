import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GroupCommit } from '../common/group-commit.js';
import { MessageLink } from './message-link.entity.js';

/** What a claim found: nothing (the write is ours to do), a write begun earlier, or a finished one. */
export type Claim = { state: 'new' } | { state: 'begun'; conversationId: number } | { state: 'written'; chatwootMessageId: number };

interface LinkRow {
  integrationId: string;
  whatsappId: string;
  chatwootMessageId: number;
  conversationId: number;
}

const keyOf = (r: { integrationId: string; whatsappId: string }) => `${r.integrationId}\u0000${r.whatsappId}`;

/** `($1, $2, $3, $4), ($5, ...)` for rows of `width` parameters. */
const placeholders = (rows: number, width: number) =>
  Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');

/**
 * WhatsApp message id ↔ Chatwoot message id, per integration. It runs for every message, so in
 * plain SQL and group-committed: the writes of all chats in flight share one statement.
 */
@Injectable()
export class MessageLinksRepository {
  private readonly claims = new GroupCommit<LinkRow, Claim>((rows) => this.claimAll(rows));
  private readonly records = new GroupCommit<LinkRow, void>((rows) => this.recordAll(rows));

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Records that the message is about to be written to the conversation (chatwoot_message_id 0),
   * unless a link exists already: then says what it holds.
   */
  claim(integrationId: string, whatsappId: string, conversationId: number): Promise<Claim> {
    return this.claims.add({ integrationId, whatsappId, conversationId, chatwootMessageId: 0 });
  }

  /** Records a message written to (or sent from) Chatwoot. */
  record(integrationId: string, whatsappId: string, chatwootMessageId: number, conversationId: number): Promise<void> {
    return this.records.add({ integrationId, whatsappId, chatwootMessageId, conversationId });
  }

  private async claimAll(rows: LinkRow[]): Promise<Claim[]> {
    const unique = [...new Map(rows.map((r) => [keyOf(r), r])).values()];
    const inserted: { integration_id: string; whatsapp_id: string }[] = await this.db.query(
      `INSERT INTO bridge_message_links (integration_id, whatsapp_id, conversation_id, chatwoot_message_id)
       VALUES ${placeholders(unique.length, 3).replace(/\)/g, ', 0)')} ON CONFLICT DO NOTHING RETURNING integration_id, whatsapp_id`,
      unique.flatMap((r) => [r.integrationId, r.whatsappId, r.conversationId]),
    );
    const fresh = new Set(inserted.map((r) => keyOf({ integrationId: r.integration_id, whatsappId: r.whatsapp_id })));
    const claims = new Map<string, Claim>();
    for (const row of unique) {
      if (fresh.has(keyOf(row))) {
        claims.set(keyOf(row), { state: 'new' });
        continue;
      }
      const link = await this.find(row.integrationId, row.whatsappId);
      claims.set(keyOf(row), link?.chatwootMessageId ? { state: 'written', chatwootMessageId: link.chatwootMessageId } : { state: 'begun', conversationId: link?.conversationId ?? 0 });
    }
    // The same message twice in one batch: the second finds the first one's claim.
    const given = new Set<string>();
    return rows.map((row) => {
      const key = keyOf(row);
      if (given.has(key)) return { state: 'begun', conversationId: row.conversationId };
      given.add(key);
      return claims.get(key)!;
    });
  }

  private async recordAll(rows: LinkRow[]): Promise<void[]> {
    const unique = [...new Map(rows.map((r) => [keyOf(r), r])).values()];
    await this.db.query(
      `INSERT INTO bridge_message_links (integration_id, whatsapp_id, chatwoot_message_id, conversation_id) VALUES ${placeholders(unique.length, 4)}
       ON CONFLICT (integration_id, whatsapp_id) DO UPDATE SET chatwoot_message_id = EXCLUDED.chatwoot_message_id, conversation_id = EXCLUDED.conversation_id`,
      unique.flatMap((r) => [r.integrationId, r.whatsappId, r.chatwootMessageId, r.conversationId]),
    );
    return rows.map(() => undefined);
  }

  find(integrationId: string, whatsappId: string): Promise<MessageLink | null> {
    return this.db.getRepository(MessageLink).findOneBy({ integrationId, whatsappId });
  }

  findByChatwootId(integrationId: string, chatwootMessageId: number): Promise<MessageLink | null> {
    return this.db.getRepository(MessageLink).findOneBy({ integrationId, chatwootMessageId });
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
