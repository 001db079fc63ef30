import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * WhatsApp message id ↔ Chatwoot message id. A row with `chatwootMessageId` 0 is a write in progress:
 * stored before the Chatwoot call, so that after a crash the bridge knows to look for the message in
 * Chatwoot (by its `WAID:` source id) before writing it again.
 */
@Entity('bridge_message_links')
@Index(['integrationId', 'chatwootMessageId'])
export class MessageLink {
  @PrimaryColumn({ name: 'integration_id', type: 'varchar', length: 64 })
  integrationId: string;

  @PrimaryColumn({ name: 'whatsapp_id', type: 'varchar', length: 128 })
  whatsappId: string;

  @Column({ name: 'chatwoot_message_id', type: 'integer', default: 0 })
  chatwootMessageId: number;

  @Column({ name: 'conversation_id', type: 'integer', default: 0 })
  conversationId: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
