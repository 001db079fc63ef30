import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Instance } from '../../instances/instance.entity.js';
import type { MediaPayload, MessageSource } from '../../../shared/protocol/event-data.types.js';

/** What the sandbox engine has sent to (or received from) its simulated WhatsApp. */
@Entity('sandbox_messages')
@Index(['instanceId', 'direction', 'seq'])
export class SandboxMessage {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  seq: string;

  @Index({ unique: true })
  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @ManyToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id' })
  instance?: Instance;

  @Column({ type: 'varchar', length: 8 })
  direction: 'incoming' | 'outgoing';

  @Column({ name: 'chat_jid', type: 'varchar', length: 128 })
  chatJid: string;

  @Column({ type: 'text', nullable: true })
  text: string | null;

  @Column({ type: 'jsonb', nullable: true })
  media: MediaPayload | null;

  @Column({ type: 'varchar', length: 16 })
  source: MessageSource;

  @Column({ name: 'command_id', type: 'varchar', length: 128, nullable: true })
  commandId: string | null;

  @Column({ name: 'reply_to', type: 'varchar', length: 128, nullable: true })
  replyTo: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
