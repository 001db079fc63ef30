import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ChatwootIntegration } from '../chatwoot-integration.entity.js';

/** The bridge channel's durable outbox: one row per event not yet acknowledged by the bridge. */
@Entity('chatwoot_events')
export class ChatwootEvent {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @PrimaryColumn({ type: 'bigint' })
  seq: string;

  @ManyToOne(() => ChatwootIntegration, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id' })
  integration?: ChatwootIntegration;

  @Column({ type: 'varchar', length: 32 })
  event: string;

  @Column({ type: 'jsonb' })
  data: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
