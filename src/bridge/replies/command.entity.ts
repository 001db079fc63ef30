import { Column, CreateDateColumn, Entity, Generated, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SendFrame } from '../../shared/protocol/channel.frames.js';

/**
 * `pending`: to be sent (again) until RyzeAPI's `result` comes; `note`: failed, a private note
 * saying why is still to be written in the conversation; `done`: delivered, or failed and noted.
 */
export type CommandState = 'pending' | 'note' | 'done';

/**
 * One `send` command made from an agent's reply (SPEC 13.4), stored before the webhook answers 200.
 * Its id (`cw-<Chatwoot message id>`, `cw-<id>-<n>` per attachment) is the primary key with the
 * integration: a duplicate delivery of the webhook inserts nothing.
 */
@Entity('bridge_commands')
@Index(['integrationId', 'state'])
@Index(['integrationId', 'whatsappId'])
export class Command {
  @PrimaryColumn({ name: 'integration_id', type: 'varchar', length: 64 })
  integrationId: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  id: string;

  /** Order of arrival: a conversation's commands are sent one after the other in this order. */
  @Column({ type: 'bigint' })
  @Generated('increment')
  position: string;

  @Column({ name: 'conversation_id', type: 'integer' })
  conversationId: number;

  @Column({ name: 'chatwoot_message_id', type: 'integer' })
  chatwootMessageId: number;

  @Column({ type: 'jsonb' })
  frame: SendFrame;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  state: CommandState;

  /** RyzeAPI's error (scrubbed of secrets) when the send failed. */
  @Column({ type: 'text', default: '' })
  error: string;

  /** The WhatsApp message id once sent (from the result or from the echo event). */
  @Column({ name: 'whatsapp_id', type: 'varchar', length: 128, default: '' })
  whatsappId: string;

  /** A `message.status` `error` for it was already written as a private note. */
  @Column({ name: 'status_error_noted', type: 'boolean', default: false })
  statusErrorNoted: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
