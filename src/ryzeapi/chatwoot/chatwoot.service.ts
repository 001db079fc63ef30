import { HttpException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { BridgeConfig } from '../config/app-config.js';
import type { InstanceRow } from '../instances/instances.service.js';
import { ClusterLocks } from '../cluster/cluster-locks.js';
import { BridgeClient } from './bridge/bridge.client.js';
import { CLOSE } from '../../shared/protocol/channel.frames.js';
import { ChannelHub } from './channel/channel.hub.js';
import { ChannelCluster } from './channel/cluster/channel-cluster.js';
import { OutboxAppender } from './channel/outbox.appender.js';
import { OutboxEventsRepository } from './channel/outbox-events.repository.js';
import type { IntegrationStatus } from './chatwoot-integration.entity.js';
import { isForeignKeyViolation } from '../database/pg-errors.js';
import { ChatwootIntegrationsRepository } from './chatwoot-integrations.repository.js';
import { BRIDGE_CONFIG } from './chatwoot.tokens.js';
import type { ChatwootIntegrationDto } from './dto/chatwoot-answers.dto.js';
import type { ChatwootSettingsDto } from './dto/chatwoot-settings.dto.js';

type Instance = Pick<InstanceRow, 'id' | 'name'>;

export type InlineActivation =
  | { status: 'active'; bridge_integration_id: string }
  | { status: 'error'; error: string };

/** Orchestrates the integration: the bridge is asked first, the database is written only on success. */
@Injectable()
export class ChatwootService {
  private readonly logger = new Logger(ChatwootService.name);

  constructor(
    @Inject(BRIDGE_CONFIG) private readonly config: BridgeConfig,
    private readonly bridge: BridgeClient,
    private readonly integrations: ChatwootIntegrationsRepository,
    private readonly outbox: OutboxEventsRepository,
    private readonly hub: ChannelHub,
    private readonly appender: OutboxAppender,
    /** set and delete of one instance run one at a time on all nodes, so racing calls leave one consistent row. */
    private readonly locks: ClusterLocks,
    private readonly cluster: ChannelCluster,
  ) {}

  private perInstance<T>(instance: Instance, task: () => Promise<T>): Promise<T> {
    return this.locks.run(`chatwoot:${instance.id}`, task);
  }

  activate(instance: Instance, settings: ChatwootSettingsDto): Promise<{ bridgeIntegrationId: string; status: IntegrationStatus }> {
    return this.perInstance(instance, async () => {
      const existing = await this.integrations.find(instance.id);
      const inboxName = settings.inboxName ?? instance.name;
      const result = await this.bridge.activate({
        instance: instance.name,
        integration_id: existing?.bridgeIntegrationId ?? null,
        ryzeapi: { base_url: this.config.internalRyzeApiUrl, ws_url: this.channelUrl(instance.name) },
        chatwoot: { base_url: settings.chatwootBaseUrl, account_id: settings.chatwootAccountId, api_token: settings.chatwootApiToken, inbox_name: inboxName },
        options: {
          sign_messages: settings.signMessages ?? false,
          ignore_groups: settings.ignoreGroups ?? false,
          start_as_pending: settings.startAsPending ?? false,
          reopen_resolved: settings.reopenResolved ?? false,
        },
      });
      const stored = {
          bridgeIntegrationId: result.integrationId,
          chatwootBaseUrl: settings.chatwootBaseUrl,
          chatwootAccountId: settings.chatwootAccountId,
          chatwootApiToken: settings.chatwootApiToken,
          chatwootInboxId: result.inboxId || (existing?.bridgeIntegrationId === result.integrationId ? existing.chatwootInboxId : 0),
          chatwootInboxName: inboxName,
          signMessages: settings.signMessages ?? false,
          ignoreGroups: settings.ignoreGroups ?? false,
          startAsPending: settings.startAsPending ?? false,
          reopenResolved: settings.reopenResolved ?? false,
          status: result.status,
          lastError: '',
      };
      try {
        await this.integrations.save(instance.id, stored, !!existing);
      } catch (error) {
        // The bridge has an integration we could not record: take it back rather than orphan it.
        if (!existing) await this.bridge.remove(result.integrationId).catch(() => undefined);
        if (isForeignKeyViolation(error)) throw new NotFoundException('instance not found');
        throw error;
      }
      this.appender.invalidate(instance.id);
      return { bridgeIntegrationId: result.integrationId, status: result.status };
    });
  }

  /**
   * For POST /api/instance/new: never throws; reports what `set` would have answered, invalid
   * settings included (`settings` validates them, in set's order: after the module check).
   */
  async activateInline(instance: Instance, settings: () => Promise<ChatwootSettingsDto>): Promise<InlineActivation> {
    try {
      const integration = await this.activate(instance, await settings());
      return { status: 'active', bridge_integration_id: integration.bridgeIntegrationId };
    } catch (error) {
      if (error instanceof HttpException) return { status: 'error', error: error.message };
      this.logger.error({ err: error, instance: instance.name }, 'inline activation failed');
      return { status: 'error', error: 'internal server error' };
    }
  }

  /** The stored integration, refreshed from the bridge when it answers in time. */
  async describe(instance: Instance): Promise<ChatwootIntegrationDto> {
    const row = await this.integrations.find(instance.id);
    if (!row) throw new NotFoundException('no chatwoot integration for this instance');
    const live = await this.bridge.status(row.bridgeIntegrationId, async () => [await this.integrations.apiToken(instance.id)]);
    if (live) {
      const inboxId = row.chatwootInboxId === 0 && live.inboxId > 0 ? live.inboxId : row.chatwootInboxId;
      if (live.status !== row.status || live.lastError !== row.lastError || inboxId !== row.chatwootInboxId) {
        // Only onto the row that was read: a `set` that finished meanwhile must not be overwritten.
        await this.integrations.updateIfUnchanged(row, { status: live.status, lastError: live.lastError, chatwootInboxId: inboxId });
      }
      Object.assign(row, { status: live.status, lastError: live.lastError, chatwootInboxId: inboxId });
    }
    return {
      instance_name: instance.name,
      status: row.status,
      bridge_integration_id: row.bridgeIntegrationId,
      chatwoot_base_url: row.chatwootBaseUrl,
      chatwoot_account_id: row.chatwootAccountId,
      chatwoot_inbox_id: row.chatwootInboxId,
      chatwoot_inbox_name: row.chatwootInboxName,
      last_error: row.lastError,
      created_at: row.createdAt,
      sign_messages: row.signMessages,
      ignore_groups: row.ignoreGroups,
      start_as_pending: row.startAsPending,
      reopen_resolved: row.reopenResolved,
      bridge_connected: this.hub.isConnected(instance.id),
      pending_events: await this.outbox.pending(instance.id),
      dropped_events: Number(row.droppedEvents),
    };
  }

  /** DELETE /api/chatwoot/delete: 404 when there is nothing to delete; a failing bridge does not stop it. */
  async deactivate(instance: Instance): Promise<void> {
    const removed = await this.remove(instance);
    if (!removed) throw new NotFoundException('no chatwoot integration to delete');
  }

  /**
   * For DELETE /api/instance/delete: removes the integration (best effort), then runs
   * `deleteInstance` under the same per-instance lock, so no `set` can slip in between.
   */
  removeWithInstance(instance: Instance, deleteInstance: () => Promise<void>): Promise<void> {
    return this.perInstance(instance, async () => {
      await this.removeUnlocked(instance).catch((error) => this.logger.warn({ err: error, instance: instance.name }, 'removing the integration failed'));
      await deleteInstance();
    });
  }

  private remove(instance: Instance): Promise<boolean> {
    return this.perInstance(instance, () => this.removeUnlocked(instance));
  }

  private async removeUnlocked(instance: Instance): Promise<boolean> {
    const row = await this.integrations.find(instance.id);
    if (!row) return false;
    try {
      const outcome = await this.bridge.remove(row.bridgeIntegrationId);
      if (outcome === 'gone') this.logger.log({ instance: instance.name }, 'bridge no longer knew the integration');
    } catch (error) {
      this.logger.warn({ instance: instance.name, reason: (error as Error).message }, 'bridge delete failed; deleting locally anyway');
    }
    const deleted = await this.integrations.delete(instance.id);
    this.appender.invalidate(instance.id);
    this.hub.close(instance.id, CLOSE.deleted, 'integration deleted');
    await this.cluster.deleted(instance.id).catch((error) =>
      // Another node's socket then sees it at its listener's next reconnect, or when the bridge reconnects.
      this.logger.warn({ reason: (error as Error).message, instance: instance.name }, 'telling the other nodes of the deletion failed'),
    );
    return deleted;
  }

  private channelUrl(name: string): string {
    return `${this.config.internalRyzeApiUrl.replace(/^http/, 'ws')}/ws/chatwoot/${encodeURIComponent(name)}`;
  }
}
