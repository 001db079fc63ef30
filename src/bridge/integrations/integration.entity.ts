import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { encryptedTransformer } from '../../shared/crypto/encrypted.transformer.js';

/**
 * One integration: a RyzeAPI instance wired to one Chatwoot inbox. Its live status (active / paused /
 * error) is computed from the socket and from `problem`; see IntegrationsService.status.
 */
@Entity('bridge_integrations')
export class Integration {
  /** `int_<24 hex>`, given to RyzeAPI at activation. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  instance: string;

  @Column({ name: 'ryzeapi_base_url', type: 'varchar', length: 2048 })
  ryzeapiBaseUrl: string;

  @Column({ name: 'ryzeapi_ws_url', type: 'varchar', length: 2048 })
  ryzeapiWsUrl: string;

  @Column({ name: 'chatwoot_base_url', type: 'varchar', length: 2048 })
  chatwootBaseUrl: string;

  @Column({ name: 'chatwoot_account_id', type: 'integer' })
  chatwootAccountId: number;

  /** AES-256-GCM ciphertext (shared encrypted transformer). */
  @Column({ name: 'chatwoot_api_token', type: 'text', transformer: encryptedTransformer })
  chatwootApiToken: string;

  @Column({ name: 'inbox_id', type: 'integer', default: 0 })
  inboxId: number;

  @Column({ name: 'inbox_name', type: 'varchar', length: 255 })
  inboxName: string;

  @Column({ name: 'sign_messages', type: 'boolean', default: false })
  signMessages: boolean;

  @Column({ name: 'ignore_groups', type: 'boolean', default: false })
  ignoreGroups: boolean;

  @Column({ name: 'start_as_pending', type: 'boolean', default: false })
  startAsPending: boolean;

  @Column({ name: 'reopen_resolved', type: 'boolean', default: false })
  reopenResolved: boolean;

  /** The secret path segment of the inbox webhook URL: 32 random bytes, base64url (256 bits). */
  @Column({ name: 'webhook_secret', type: 'varchar', length: 64 })
  webhookSecret: string;

  /** Chatwoot 4.13+ inbox webhook signing secret, when known (HMAC-SHA256 of "<timestamp>.<body>"). */
  @Column({ name: 'webhook_signing_secret', type: 'text', nullable: true, transformer: encryptedTransformer })
  webhookSigningSecret: string | null;

  /**
   * A condition the operator must fix, kept across restarts: `token` (Chatwoot rejects the API
   * token), `inbox` (the inbox is gone), `ryzeapi` (RyzeAPI deleted it: 4410), or '' for none. Reported as status `error`.
   */
  @Column({ type: 'varchar', length: 16, default: '' })
  problem: '' | 'token' | 'inbox' | 'ryzeapi';

  /** What to fix, or the last event skipped as a poison message. Never contains a token. */
  @Column({ name: 'last_error', type: 'text', default: '' })
  lastError: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
