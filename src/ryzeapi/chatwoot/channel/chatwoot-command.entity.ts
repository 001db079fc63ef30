import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ChatwootIntegration } from '../chatwoot-integration.entity.js';

/** A `send` command taken from the bridge; its result is replayed when the same id comes again. */
@Entity('chatwoot_commands')
export class ChatwootCommand {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @PrimaryColumn({ name: 'command_id', type: 'varchar', length: 128 })
  commandId: string;

  @ManyToOne(() => ChatwootIntegration, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id' })
  integration?: ChatwootIntegration;

  /** The `result` frame sent for it; null while the send is under way (or was cut off by a crash). */
  @Column({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null;

  @Index()
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
