import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { MediaPayload, MessageSource } from '../../../shared/protocol/event-data.types.js';

/** One message of the simulated WhatsApp, as the sandbox engine records it. */
export interface RecordedMessage {
  id: string;
  direction: 'incoming' | 'outgoing';
  chatJid: string;
  text?: string;
  media?: MediaPayload;
  source: MessageSource;
  commandId?: string;
  replyTo?: string;
}

/** A recorded outgoing message, read back (timestamps in unix seconds). */
export interface StoredSend {
  id: string;
  to: string;
  text: string | null;
  media: MediaPayload | null;
  /** Outgoing messages only: never `whatsapp`. */
  source: Exclude<MessageSource, 'whatsapp'>;
  commandId: string | null;
  replyTo: string | null;
  timestamp: number;
}

interface SendRow {
  message_id: string;
  chat_jid: string;
  text: string | null;
  media: MediaPayload | null;
  source: Exclude<MessageSource, 'whatsapp'>;
  command_id: string | null;
  reply_to: string | null;
  created_at: Date | string;
}

const SEND_COLUMNS = 'message_id, chat_jid, text, media, source, command_id, reply_to, created_at';

const toStoredSend = (row: SendRow): StoredSend => ({
  id: row.message_id,
  to: row.chat_jid,
  text: row.text,
  media: row.media,
  source: row.source,
  commandId: row.command_id,
  replyTo: row.reply_to,
  timestamp: Math.floor(new Date(row.created_at).getTime() / 1000),
});

/** The sandbox engine's messages (table `sandbox_messages`). */
@Injectable()
export class SandboxMessagesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(instanceId: string, m: RecordedMessage): Promise<void> {
    await this.db.query(
      `INSERT INTO sandbox_messages (instance_id, message_id, direction, chat_jid, text, media, source, command_id, reply_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [instanceId, m.id, m.direction, m.chatJid, m.text ?? null, m.media ? JSON.stringify(m.media) : null,
        m.source, m.commandId ?? null, m.replyTo ?? null],
    );
  }

  /** The outgoing message sent for commandId, if any. */
  async sendFor(instanceId: string, commandId: string): Promise<StoredSend | undefined> {
    const [row] = await this.db.query<SendRow[]>(
      `SELECT ${SEND_COLUMNS} FROM sandbox_messages WHERE instance_id = $1 AND direction = 'outgoing' AND command_id = $2`,
      [instanceId, commandId],
    );
    return row && toStoredSend(row);
  }

  /** Every outgoing message of the instance, oldest first. */
  async sends(instanceId: string): Promise<StoredSend[]> {
    const rows = await this.db.query<SendRow[]>(
      `SELECT ${SEND_COLUMNS} FROM sandbox_messages WHERE instance_id = $1 AND direction = 'outgoing' ORDER BY seq`,
      [instanceId],
    );
    return rows.map(toStoredSend);
  }
}
