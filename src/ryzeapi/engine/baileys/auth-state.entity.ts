import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Instance } from '../../instances/instance.entity.js';

/**
 * A WhatsApp session as Baileys keeps it: the credentials (category `creds`) and the signal keys
 * (`pre-key`, `session`, `sender-key`, `app-state-sync-key`, ...), one row per value, each value
 * encrypted with ENCRYPTION_KEYS.
 */
@Entity('whatsapp_auth_state')
export class WhatsAppAuthState {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @ManyToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id' })
  instance?: Instance;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  category: string;

  @PrimaryColumn({ name: 'key_id', type: 'varchar', length: 255 })
  keyId: string;

  @Column({ type: 'text' })
  value: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
