import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Instance } from '../instances/instance.entity.js';
import { encryptedTransformer } from '../../shared/crypto/encrypted.transformer.js';

import type { IntegrationStatus } from '../../shared/protocol/integrations.api.js';

export type { IntegrationStatus };

/** One row per instance: the Chatwoot settings, the bridge's id, and the bridge channel's cursors. */
@Entity('chatwoot_integrations')
export class ChatwootIntegration {
  @PrimaryColumn({ name: 'instance_id', type: 'uuid' })
  instanceId: string;

  @OneToOne(() => Instance, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id' })
  instance?: Instance;

  @Column({ name: 'bridge_integration_id', type: 'varchar', length: 128 })
  bridgeIntegrationId: string;

  @Column({ name: 'chatwoot_base_url', type: 'varchar', length: 2048 })
  chatwootBaseUrl: string;

  @Column({ name: 'chatwoot_account_id', type: 'integer' })
  chatwootAccountId: number;

  /** AES-256-GCM ciphertext; not selected unless asked for, so ordinary reads never decrypt it. */
  @Column({ name: 'chatwoot_api_token', type: 'text', select: false, transformer: encryptedTransformer })
  chatwootApiToken: string;

  @Column({ name: 'chatwoot_inbox_id', type: 'integer', default: 0 })
  chatwootInboxId: number;

  @Column({ name: 'chatwoot_inbox_name', type: 'varchar', length: 255 })
  chatwootInboxName: string;

  @Column({ name: 'sign_messages', type: 'boolean', default: false })
  signMessages: boolean;

  @Column({ name: 'ignore_groups', type: 'boolean', default: false })
  ignoreGroups: boolean;

  @Column({ name: 'start_as_pending', type: 'boolean', default: false })
  startAsPending: boolean;

  @Column({ name: 'reopen_resolved', type: 'boolean', default: false })
  reopenResolved: boolean;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: IntegrationStatus;

  @Column({ name: 'last_error', type: 'text', default: '' })
  lastError: string;

  /** Highest event seq assigned for this instance (the bridge channel's outbox). */
  @Column({ name: 'last_seq', type: 'bigint', default: 0 })
  lastSeq: string;

  /** Highest seq the bridge acknowledged. */
  @Column({ name: 'last_acked_seq', type: 'bigint', default: 0 })
  lastAckedSeq: string;

  /** Events dropped by retention before the bridge acknowledged them. */
  @Column({ name: 'dropped_events', type: 'bigint', default: 0 })
  droppedEvents: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
