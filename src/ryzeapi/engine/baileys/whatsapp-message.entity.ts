import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Instance } from '../../instances/instance.entity.js';

/**
 * One row per WhatsApp message id an instance has seen or sent. The primary key is the durable
 * dedup of `messages.upsert` (a message WhatsApp delivers twice is one event); `status` keeps the
 * furthest receipt published, so a repeated receipt is one `message.status`. `payload` is the
 * message as Baileys gave it (encrypted: it holds the media keys), for media downloads and quoted
 * replies; receipts of messages never seen have none.
 */
@Entity('whatsapp_messages')
export class WhatsAppMessage {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @ManyToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id' })
  instance?: Instance;

  @PrimaryColumn({ name: 'message_id', type: 'varchar', length: 128 })
  messageId: string;

  @Column({ type: 'text', nullable: true })
  payload: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  status: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
