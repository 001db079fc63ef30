import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Account } from '../accounts/account.entity.js';
import { Instance } from '../instances/instance.entity.js';

/** A TokenAccount (instanceId null) or a TokenInstance, stored as its SHA-256 only. */
@Entity('api_tokens')
export class ApiToken {
  @PrimaryColumn({ type: 'char', length: 64 })
  hash: string;

  @Index()
  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Account;

  @Index()
  @Column({ name: 'instance_id', type: 'uuid', nullable: true })
  instanceId: string | null;

  @ManyToOne(() => Instance, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'instance_id' })
  instance?: Instance;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
