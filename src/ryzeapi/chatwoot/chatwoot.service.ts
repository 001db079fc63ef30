import { HttpException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { BridgeConfig } from '../config/app-config.js';
import type { InstanceRef } from '../engine/engine.types.js';
import { InstanceLock } from '../instances/instance.lock.js';
import { BridgeClient } from './bridge/bridge.client.js';
import { ChannelControl } from './channel/channel.control.js';
import type { IntegrationStatus } from './chatwoot-integration.entity.js';
import type { IntegrationView } from './chatwoot-integration.mapper.js';
import { isForeignKeyViolation } from '../database/pg-errors.js';
import { ChatwootIntegrationsRepository } from './chatwoot-integrations.repository.js';
import { BRIDGE_CONFIG } from './chatwoot.tokens.js';
import type { ChatwootSettingsDto } from './dto/chatwoot-settings.dto.js';
import { InstanceIntegration, type InlineActivation } from './instance-integration.port.js';

/** The options of SPEC section 4, each false unless set. */
const withDefaults = (s: ChatwootSettingsDto) => ({
  signMessages: s.signMessages ?? false,
  ignoreGroups: s.ignoreGroups ?? false,
  startAsPending: s.startAsPending ?? false,
  reopenResolved: s.reopenResolved ?? false,
});

/** Orchestrates the integration: the bridge is asked first, the database is written only on success. */
@Injectable()
export class ChatwootService extends InstanceIntegration {
  private readonly logger = new Logger(ChatwootService.name);

  constructor(
    @Inject(BRIDGE_CONFIG) private readonly config: BridgeConfig,
    private readonly bridge: BridgeClient,
    private readonly integrations: ChatwootIntegrationsRepository,
    private readonly channel: ChannelControl,
    private readonly lock: InstanceLock,
  ) {
    super();
  }

  /** POST /api/chatwoot/set. */
  set(instance: InstanceRef, settings: ChatwootSettingsDto): Promise<{ bridgeIntegrationId: string; status: IntegrationStatus }> {
    return this.lock.run(instance.id, () => this.activate(instance, settings));
  }

  async activateInline(instance: InstanceRef, settings: () => Promise<ChatwootSettingsDto>): Promise<InlineActivation> {
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
  async describe(instance: InstanceRef): Promise<IntegrationView> {
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
      instanceName: instance.name,
      row,
      bridgeConnected: this.channel.isConnected(instance.id),
      pendingEvents: await this.channel.pending(instance.id),
    };
  }

  /** DELETE /api/chatwoot/delete: 404 when there is nothing to delete; a failing bridge does not stop it. */
  async deactivate(instance: InstanceRef): Promise<void> {
    const removed = await this.lock.run(instance.id, () => this.remove(instance));
    if (!removed) throw new NotFoundException('no chatwoot integration to delete');
  }

  async removeWithInstance(instance: InstanceRef): Promise<void> {
    await this.remove(instance);
  }

  private async activate(instance: InstanceRef, settings: ChatwootSettingsDto): Promise<{ bridgeIntegrationId: string; status: IntegrationStatus }> {
    const existing = await this.integrations.find(instance.id);
    const inboxName = settings.inboxName ?? instance.name;
    const options = withDefaults(settings);
    const result = await this.bridge.activate({
      instance: instance.name,
      integration_id: existing?.bridgeIntegrationId ?? null,
      ryzeapi: { base_url: this.config.internalRyzeApiUrl, ws_url: this.channelUrl(instance.name) },
      chatwoot: { base_url: settings.chatwootBaseUrl, account_id: settings.chatwootAccountId, api_token: settings.chatwootApiToken, inbox_name: inboxName },
      options: {
        sign_messages: options.signMessages,
        ignore_groups: options.ignoreGroups,
        start_as_pending: options.startAsPending,
        reopen_resolved: options.reopenResolved,
      },
    });
    const stored = {
      bridgeIntegrationId: result.integrationId,
      chatwootBaseUrl: settings.chatwootBaseUrl,
      chatwootAccountId: settings.chatwootAccountId,
      chatwootApiToken: settings.chatwootApiToken,
      chatwootInboxId: result.inboxId || (existing?.bridgeIntegrationId === result.integrationId ? existing.chatwootInboxId : 0),
      chatwootInboxName: inboxName,
      ...options,
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
    this.channel.integrationChanged(instance.id);
    return { bridgeIntegrationId: result.integrationId, status: result.status };
  }

  private async remove(instance: InstanceRef): Promise<boolean> {
    const row = await this.integrations.find(instance.id);
    if (!row) return false;
    try {
      const outcome = await this.bridge.remove(row.bridgeIntegrationId);
      if (outcome === 'gone') this.logger.log({ instance: instance.name }, 'bridge no longer knew the integration');
    } catch (error) {
      this.logger.warn({ instance: instance.name, reason: (error as Error).message }, 'bridge delete failed; deleting locally anyway');
    }
    const deleted = await this.integrations.delete(instance.id);
    await this.channel.integrationDeleted(instance.id);
    return deleted;
  }

  private channelUrl(name: string): string {
    return `${this.config.internalRyzeApiUrl.replace(/^http/, 'ws')}/ws/chatwoot/${encodeURIComponent(name)}`;
  }
}
