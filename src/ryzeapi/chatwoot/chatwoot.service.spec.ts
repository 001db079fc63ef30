import { beforeAll, describe, expect, it } from '@jest/globals';
import { BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import type { BridgeConfig } from '../config/app-config.js';
import type { InstanceLock } from '../instances/instance.lock.js';
import type { ActivateRequest } from '../../shared/protocol/integrations.api.js';
import type { BridgeClient } from './bridge/bridge.client.js';
import type { ChannelControl } from './channel/channel.control.js';
import type { ChatwootIntegration } from './chatwoot-integration.entity.js';
import type { ChatwootIntegrationsRepository, IntegrationSettings } from './chatwoot-integrations.repository.js';
import { ChatwootService } from './chatwoot.service.js';
import type { ChatwootSettingsDto } from './dto/chatwoot-settings.dto.js';

const instance = { id: 'i-1', name: 'suporte' };
const SETTINGS: ChatwootSettingsDto = { chatwootBaseUrl: 'https://cw.example', chatwootAccountId: 5, chatwootApiToken: 'cw-secret' };
const CONFIG: BridgeConfig = {
  url: 'http://bridge.internal', token: 'bridge-token', internalRyzeApiUrl: 'http://ryzeapi.internal:8080',
  timeouts: { activateMs: 1, statusMs: 1, deleteMs: 1 },
};

const storedRow = (overrides: Partial<ChatwootIntegration> = {}): ChatwootIntegration => ({
  instanceId: instance.id, bridgeIntegrationId: 'int-1', chatwootBaseUrl: 'https://cw.example', chatwootAccountId: 5,
  chatwootApiToken: 'cw-secret', chatwootInboxId: 0, chatwootInboxName: 'suporte', signMessages: false, ignoreGroups: false,
  startAsPending: false, reopenResolved: false, status: 'active', lastError: '', droppedEvents: '3', createdAt: new Date(0),
  ...overrides,
} as ChatwootIntegration);

/** ChatwootService over plain objects; `calls` records what it asked of each. */
function setup(options: { row?: ChatwootIntegration | null; saveError?: unknown; removeError?: Error; live?: { status: 'active' | 'paused' | 'error'; inboxId: number; lastError: string } | null } = {}) {
  const calls: string[] = [];
  let row = options.row ?? null;
  const saved: { settings?: IntegrationSettings; exists?: boolean } = {};
  let request: ActivateRequest | undefined;
  const bridge = {
    activate: async (r: ActivateRequest) => ((request = r), calls.push('bridge.activate'), { integrationId: 'int-2', status: 'active', inboxId: 9 }),
    remove: async (id: string) => {
      calls.push(`bridge.remove ${id}`);
      if (options.removeError) throw options.removeError;
      return 'deleted';
    },
    status: async () => (calls.push('bridge.status'), options.live ?? null),
  } as unknown as BridgeClient;
  const integrations = {
    find: async () => row,
    apiToken: async () => row?.chatwootApiToken,
    save: async (_id: string, settings: IntegrationSettings, exists: boolean) => {
      if (options.saveError) throw options.saveError;
      Object.assign(saved, { settings, exists });
      calls.push('save');
    },
    updateIfUnchanged: async (_read: ChatwootIntegration, changes: object) => void calls.push(`update ${JSON.stringify(changes)}`),
    delete: async () => {
      calls.push('delete row');
      const had = !!row;
      row = null;
      return had;
    },
  } as unknown as ChatwootIntegrationsRepository;
  const channel = {
    isConnected: () => true,
    pending: async () => 7,
    integrationChanged: (id: string) => void calls.push(`changed ${id}`),
    integrationDeleted: async (id: string) => void calls.push(`deleted ${id}`),
  } as unknown as ChannelControl;
  const lock = {
    run: async <T>(id: string, task: () => Promise<T>) => {
      calls.push(`lock ${id}`);
      try {
        return await task();
      } finally {
        calls.push(`unlock ${id}`);
      }
    },
  } as unknown as InstanceLock;
  const service = new ChatwootService(CONFIG, bridge, integrations, channel, lock);
  return { service, calls, saved, request: () => request };
}

describe('ChatwootService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  describe('set', () => {
    it('asks the bridge first, with the defaults and the channel URL, then stores under the lock', async () => {
      const { service, calls, saved, request } = setup();
      await expect(service.set(instance, SETTINGS)).resolves.toEqual({ bridgeIntegrationId: 'int-2', status: 'active' });
      expect(request()).toEqual({
        instance: 'suporte',
        integration_id: null,
        ryzeapi: { base_url: 'http://ryzeapi.internal:8080', ws_url: 'ws://ryzeapi.internal:8080/ws/chatwoot/suporte' },
        chatwoot: { base_url: 'https://cw.example', account_id: 5, api_token: 'cw-secret', inbox_name: 'suporte' },
        options: { sign_messages: false, ignore_groups: false, start_as_pending: false, reopen_resolved: false },
      });
      expect(saved).toEqual({
        exists: false,
        settings: {
          bridgeIntegrationId: 'int-2', chatwootBaseUrl: 'https://cw.example', chatwootAccountId: 5, chatwootApiToken: 'cw-secret',
          chatwootInboxId: 9, chatwootInboxName: 'suporte', signMessages: false, ignoreGroups: false, startAsPending: false,
          reopenResolved: false, status: 'active', lastError: '',
        },
      });
      expect(calls).toEqual(['lock i-1', 'bridge.activate', 'save', 'changed i-1', 'unlock i-1']);
    });

    it('updates in place: the bridge is told the existing id, options given are stored as given', async () => {
      const { service, saved, request } = setup({ row: storedRow() });
      await service.set(instance, { ...SETTINGS, inboxName: 'WhatsApp', signMessages: true, reopenResolved: true });
      expect(request()).toMatchObject({ integration_id: 'int-1', chatwoot: { inbox_name: 'WhatsApp' }, options: { sign_messages: true, reopen_resolved: true, ignore_groups: false } });
      expect(saved).toMatchObject({ exists: true, settings: { chatwootInboxName: 'WhatsApp', signMessages: true, reopenResolved: true, ignoreGroups: false } });
    });

    it('takes back a new integration it could not store; a vanished instance is a 404', async () => {
      const { service, calls } = setup({ saveError: { code: '23503' } });
      await expect(service.set(instance, SETTINGS)).rejects.toThrow(new NotFoundException('instance not found'));
      expect(calls).toContain('bridge.remove int-2');
      expect(calls).not.toContain('changed i-1');
    });
  });

  describe('activateInline', () => {
    it('reports success with the integration id', async () => {
      const { service } = setup();
      await expect(service.activateInline(instance, async () => SETTINGS)).resolves.toEqual({ status: 'active', bridge_integration_id: 'int-2' });
    });

    it('reports invalid settings with the 400 text, without asking the bridge', async () => {
      const { service, calls } = setup();
      const invalid = async (): Promise<ChatwootSettingsDto> => Promise.reject(new BadRequestException('invalid body: chatwootBaseUrl is required'));
      await expect(service.activateInline(instance, invalid)).resolves.toEqual({ status: 'error', error: 'invalid body: chatwootBaseUrl is required' });
      expect(calls).not.toContain('bridge.activate');
    });

    it('reports an unexpected failure without its text', async () => {
      const { service } = setup({ saveError: new Error('connection reset: secret detail') });
      await expect(service.activateInline(instance, async () => SETTINGS)).resolves.toEqual({ status: 'error', error: 'internal server error' });
      const http = setup({ saveError: new HttpException('gone', 410) });
      await expect(http.service.activateInline(instance, async () => SETTINGS)).resolves.toEqual({ status: 'error', error: 'gone' });
    });
  });

  describe('describe', () => {
    it('is a 404 without an integration', async () => {
      await expect(setup().service.describe(instance)).rejects.toThrow(new NotFoundException('no chatwoot integration for this instance'));
    });

    it('refreshes the stored row from the bridge and adds what the channel knows', async () => {
      const { service, calls } = setup({ row: storedRow(), live: { status: 'error', inboxId: 12, lastError: 'token revoked' } });
      const view = await service.describe(instance);
      expect(view).toMatchObject({ instanceName: 'suporte', bridgeConnected: true, pendingEvents: 7 });
      expect(view.row).toMatchObject({ status: 'error', lastError: 'token revoked', chatwootInboxId: 12 });
      expect(calls).toContain(`update ${JSON.stringify({ status: 'error', lastError: 'token revoked', chatwootInboxId: 12 })}`);
    });

    it('keeps the stored values, unwritten, when the bridge does not answer', async () => {
      const { service, calls } = setup({ row: storedRow({ chatwootInboxId: 4 }), live: null });
      expect((await service.describe(instance)).row).toMatchObject({ status: 'active', chatwootInboxId: 4 });
      expect(calls.filter((c) => c.startsWith('update'))).toEqual([]);
    });
  });

  describe('deactivate and removeWithInstance', () => {
    it('deactivate is a 404 when there is nothing to delete', async () => {
      const { service, calls } = setup();
      await expect(service.deactivate(instance)).rejects.toThrow(new NotFoundException('no chatwoot integration to delete'));
      expect(calls).toEqual(['lock i-1', 'unlock i-1']);
    });

    it('deactivate deletes locally even when the bridge fails, and tells the channel, under the lock', async () => {
      const { service, calls } = setup({ row: storedRow(), removeError: new Error('HTTP 500') });
      await service.deactivate(instance);
      expect(calls).toEqual(['lock i-1', 'bridge.remove int-1', 'delete row', 'deleted i-1', 'unlock i-1']);
    });

    it('removeWithInstance does not take the lock (its caller holds it)', async () => {
      const { service, calls } = setup({ row: storedRow() });
      await service.removeWithInstance(instance);
      expect(calls).toEqual(['bridge.remove int-1', 'delete row', 'deleted i-1']);
    });
  });
});
