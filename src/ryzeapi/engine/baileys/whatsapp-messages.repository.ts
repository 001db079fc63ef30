import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenCipher } from '../../../shared/crypto/token-cipher.js';
import type { MessageStatusData } from '../../../shared/protocol/event-data.types.js';

type Status = MessageStatusData['status'];
/** Receipts only move forward: a status is published when it is further than the last one. */
const STATUS_ORDER: Status[] = ['sent', 'delivered', 'read', 'played', 'error'];

/** The messages an instance has seen or sent (see WhatsAppMessage): dedup, receipts, stored payloads. */
@Injectable()
export class WhatsAppMessagesRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cipher: TokenCipher,
  ) {}

  /** Records a message; false when it was recorded before (a duplicate delivery). */
  async record(instanceId: string, messageId: string, payload: string, status: Status | null = null): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO whatsapp_messages (instance_id, message_id, payload, status) VALUES ($1, $2, $3, $4)
       ON CONFLICT (instance_id, message_id) DO UPDATE SET payload = EXCLUDED.payload WHERE whatsapp_messages.payload IS NULL
       RETURNING 1`,
      [instanceId, messageId, this.cipher.encrypt(payload), status],
    );
    return rows.length > 0;
  }

  /** Undoes record() when the message's event could not be stored, so a redelivery raises it. */
  async forget(instanceId: string, messageId: string): Promise<void> {
    await this.db.query(`DELETE FROM whatsapp_messages WHERE instance_id = $1 AND message_id = $2`, [instanceId, messageId]);
  }

  async payload(instanceId: string, messageId: string): Promise<string | undefined> {
    const [row] = await this.db.query(
      `SELECT payload FROM whatsapp_messages WHERE instance_id = $1 AND message_id = $2 AND payload IS NOT NULL`,
      [instanceId, messageId],
    );
    return row ? this.cipher.decrypt(row.payload) : undefined;
  }

  /** Stores the status if it is further than the stored one; true when it was (then it is published). */
  async advanceStatus(instanceId: string, messageId: string, status: Status): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO whatsapp_messages (instance_id, message_id, status) VALUES ($1, $2, $3)
       ON CONFLICT (instance_id, message_id) DO UPDATE SET status = EXCLUDED.status
        WHERE coalesce(array_position($4::text[], whatsapp_messages.status), 0) < array_position($4::text[], EXCLUDED.status)
       RETURNING 1`,
      [instanceId, messageId, status, STATUS_ORDER],
    );
    return rows.length > 0;
  }
}
