import { describe, expect, it } from '@jest/globals';
import { NotFoundException, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { InstanceAccessGuard, type InstanceRequest } from './instance-access.guard.js';
import type { InstanceRow, InstancesRepository } from './instances.repository.js';
import { InstancesService } from './instances.service.js';

const rows: InstanceRow[] = [
  { id: 'i-1', name: 'suporte', accountId: 'a-1', status: 'connected', createdAt: new Date(0) },
  { id: 'i-2', name: 'vendas', accountId: 'a-2', status: 'disconnected', createdAt: new Date(0) },
];

/** The guard over the real InstancesService and a repository of plain rows; `queries` counts the lookups. */
function setup() {
  const queries: string[] = [];
  const repository = {
    findOfAccount: async (accountId: string, name: string) => (queries.push(`${accountId}/${name}`), rows.find((r) => r.accountId === accountId && r.name === name)),
    findByName: async (name: string) => (queries.push(`*/${name}`), rows.find((r) => r.name === name)),
  } as unknown as InstancesRepository;
  return { queries, guard: new InstanceAccessGuard(new InstancesService(repository)) };
}

const context = (req: Partial<InstanceRequest>) => ({ switchToHttp: () => ({ getRequest: () => req }) }) as unknown as ExecutionContext;
const account = (accountId: string): Principal => ({ accountId, instance: null });

describe('InstanceAccessGuard', () => {
  it("puts the caller's instance on the request", async () => {
    const { guard } = setup();
    const req: Partial<InstanceRequest> = { params: { instance: 'suporte' }, principal: account('a-1') };
    await expect(guard.canActivate(context(req))).resolves.toBe(true);
    expect(req.instance).toEqual(rows[0]);
  });

  it("answers 404 for another account's instance, as for one that does not exist", async () => {
    const { guard } = setup();
    for (const name of ['vendas', 'nobody']) {
      const req: Partial<InstanceRequest> = { params: { instance: name }, principal: account('a-1') };
      await expect(guard.canActivate(context(req))).rejects.toThrow(new NotFoundException('instance not found'));
      expect(req.instance).toBeUndefined();
    }
  });

  it('answers 404 to a name no instance can have, without a lookup', async () => {
    const { guard, queries } = setup();
    const req = { params: { instance: 'n'.repeat(65) }, principal: account('a-1') };
    await expect(guard.canActivate(context(req))).rejects.toThrow(NotFoundException);
    expect(queries).toEqual([]);
  });

  it("finds any account's instance for the bridge (no principal)", async () => {
    const { guard, queries } = setup();
    const req: Partial<InstanceRequest> = { params: { instance: 'vendas' } };
    await expect(guard.canActivate(context(req))).resolves.toBe(true);
    expect(req.instance).toEqual(rows[1]);
    expect(queries).toEqual(['*/vendas']);
  });
});
