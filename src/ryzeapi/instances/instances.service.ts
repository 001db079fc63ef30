import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { generateToken, hashToken } from '../auth/token.util.js';
import { isUniqueViolation } from '../database/pg-errors.js';
import type { InstanceStatus } from './instance.entity.js';
import { isInstanceName } from './instance-name.js';
import { InstancesRepository, type InstanceRow } from './instances.repository.js';

export type { InstanceRow };

@Injectable()
export class InstancesService {
  constructor(private readonly repository: InstancesRepository) {}

  /** Creates the instance and its TokenInstance; returns the token in clear, once. */
  async create(accountId: string, name: string, token = generateToken('ins')): Promise<{ instance: InstanceRow; token: string }> {
    try {
      return { instance: await this.repository.create(accountId, name, hashToken(token)), token };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictException((await this.repository.nameTaken(name)) ? 'instance name already in use' : 'token already in use');
    }
  }

  /**
   * The instance of that name the caller may act on, or 404 (another account's instance is not
   * revealed). No principal: the bridge's `Bearer <BRIDGE_TOKEN>`, which may act on any instance.
   * Whether a TokenInstance may act on it was checked by TokenAuthGuard (403).
   */
  async resolve(principal: Principal | undefined, name: string): Promise<InstanceRow> {
    const row = !isInstanceName(name)
      ? undefined
      : principal
        ? await this.repository.findOfAccount(principal.accountId, name)
        : await this.repository.findByName(name);
    if (!row) throw new NotFoundException('instance not found');
    return row;
  }

  async findByName(name: string): Promise<InstanceRow | undefined> {
    return isInstanceName(name) ? this.repository.findByName(name) : undefined;
  }

  list(principal: Principal): Promise<InstanceRow[]> {
    return principal.instance ? this.repository.byId(principal.instance.id) : this.repository.ofAccount(principal.accountId);
  }

  setStatus(id: string, status: InstanceStatus): Promise<void> {
    return this.repository.setStatus(id, status);
  }

  getStatus(id: string): Promise<InstanceStatus | undefined> {
    return this.repository.getStatus(id);
  }

  delete(id: string): Promise<void> {
    return this.repository.delete(id);
  }
}
