import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { InstanceIntegration } from '../chatwoot/instance-integration.port.js';
import type { ChatwootSettingsDto } from '../chatwoot/dto/chatwoot-settings.dto.js';
import { ClusterLocks } from '../cluster/cluster-locks.js';
import type { ClusterPool } from '../cluster/cluster-pool.js';
import type { WhatsAppEngine } from '../engine/whatsapp-engine.port.js';
import { InstanceLifecycleService } from './instance-lifecycle.service.js';
import { InstanceLock } from './instance.lock.js';
import type { InstanceRow, InstancesService } from './instances.service.js';

const row: InstanceRow = { id: 'i-1', name: 'suporte', accountId: 'a-1', status: 'disconnected', createdAt: new Date(0) };
const SETTINGS: ChatwootSettingsDto = { chatwootBaseUrl: 'https://cw.example', chatwootAccountId: 1, chatwootApiToken: 'cw-token' };

/** Resolves when told to: holds a step open while the test looks at what else can run. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** The service with plain objects for its ports and repositories, and a real (single-node) lock; `log` records the order of what happened. */
function setup(integration: Partial<InstanceIntegration> = {}) {
  const log: string[] = [];
  const lock = new InstanceLock(new ClusterLocks({ clustered: false } as ClusterPool));
  const instances = {
    create: async (_accountId: string, name: string, token = 'generated') => (log.push(`create ${name}`), { instance: { ...row, name }, token }),
    delete: async (id: string) => void log.push(`delete ${id}`),
  } as unknown as InstancesService;
  const engine = { release: async (i: { name: string }) => void log.push(`release ${i.name}`) } as unknown as WhatsAppEngine;
  const port = {
    activateInline: async (i: { name: string }, settings: () => Promise<ChatwootSettingsDto>) => {
      log.push(`activate ${i.name} ${(await settings()).chatwootBaseUrl}`);
      return { status: 'active', bridge_integration_id: 'int-1' };
    },
    removeWithInstance: async (i: { name: string }) => void log.push(`remove integration ${i.name}`),
    ...integration,
  } as InstanceIntegration;
  return { log, lock, service: new InstanceLifecycleService(instances, engine, port, lock) };
}

describe('InstanceLifecycleService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('creates an instance without touching the integration unless asked', async () => {
    const { log, service } = setup();
    const created = await service.create('a-1', { name: 'suporte', token: 'ryz_ins_custom-token-123' });
    expect(created).toEqual({ instance: { ...row, name: 'suporte' }, token: 'ryz_ins_custom-token-123' });
    expect(created).not.toHaveProperty('chatwoot');
    expect(log).toEqual(['create suporte']);
  });

  it('activates inline once the instance exists, and reports the outcome', async () => {
    const { log, service } = setup();
    const created = await service.create('a-1', { name: 'suporte', chatwoot: async () => SETTINGS });
    expect(created.chatwoot).toEqual({ status: 'active', bridge_integration_id: 'int-1' });
    expect(log).toEqual(['create suporte', 'activate suporte https://cw.example']);
  });

  it('holds the instance lock during the inline activation', async () => {
    const step = gate();
    const { log, lock, service } = setup({
      activateInline: async () => {
        await step.opened;
        log.push('activated');
        return { status: 'active', bridge_integration_id: 'int-1' };
      },
    });
    const creating = service.create('a-1', { name: 'suporte', chatwoot: async () => SETTINGS });
    await new Promise((resolve) => setImmediate(resolve));
    const other = lock.run(row.id, async () => void log.push('set'));
    step.open();
    await Promise.all([creating, other]);
    expect(log).toEqual(['create suporte', 'activated', 'set']);
  });

  it('deletes in order: engine session, integration, instance', async () => {
    const { log, service } = setup();
    await service.delete(row);
    expect(log).toEqual(['release suporte', 'remove integration suporte', `delete ${row.id}`]);
  });

  it('still deletes the instance when removing the integration fails', async () => {
    const { log, service } = setup({ removeWithInstance: async () => Promise.reject(new Error('bridge down')) });
    await service.delete(row);
    expect(log).toEqual(['release suporte', `delete ${row.id}`]);
  });

  it('lets no other lifecycle change of the instance run between removing the integration and deleting the instance', async () => {
    const step = gate();
    const { log, lock, service } = setup({
      removeWithInstance: async () => {
        log.push('removing');
        await step.opened;
      },
    });
    const deleting = service.delete(row);
    await new Promise((resolve) => setImmediate(resolve));
    const set = lock.run(row.id, async () => void log.push('set'));
    step.open();
    await Promise.all([deleting, set]);
    expect(log).toEqual(['release suporte', 'removing', `delete ${row.id}`, 'set']);
  });
});
