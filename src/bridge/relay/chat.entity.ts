import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One WhatsApp chat (a private JID or a group JID) of an integration, and what it is in Chatwoot:
 * its contact, the contact's source id in the inbox, and the conversation messages go to.
 */
@Entity('bridge_chats')
@Index(['integrationId', 'conversationId'])
export class Chat {
  @PrimaryColumn({ name: 'integration_id', type: 'varchar', length: 64 })
  integrationId: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  jid: string;

  @Column({ name: 'contact_id', type: 'integer' })
  contactId: number;

  /** The contact_inbox source id, needed to open a conversation. */
  @Column({ name: 'contact_source_id', type: 'varchar', length: 255, default: '' })
  contactSourceId: string;

  /** 0 until a conversation is known. */
  @Column({ name: 'conversation_id', type: 'integer', default: 0 })
  conversationId: number;
}
