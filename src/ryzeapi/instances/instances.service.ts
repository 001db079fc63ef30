import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { generateToken, hashToken } from '../auth/token.util.js';
import { isUniqueViolation } from '../database/pg-errors.js';
import type { InstanceStatus } from './instance.entity.js';
import { isInstanceName } from './instance-name.js';

export interface InstanceRow {
  id: string;
  name: string;
  accountId: string;
  status: InstanceStatus;
  createdAt: Date;
}

const SELECT = `SELECT id, name, account_id AS "accountId", status, created_at AS "createdAt" FROM instances`;

@Injectable()
export class InstancesService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Creates the instance and its TokenInstance in one statement; returns the token in clear, once. */
  async create(accountId: string, name: string, token = generateToken('ins')): Promise<{ instance: InstanceRow; token: string }> {
    try {
      const [row] = await this.db.query(
        `WITH i AS (INSERT INTO instances (account_id, name) VALUES ($1, $2)
                    RETURNING id, name, account_id, status, created_at),
              t AS (INSERT INTO api_tokens (hash, account_id, instance_id) SELECT $3, $1, id FROM i)
         SELECT id, name, account_id AS "accountId", status, created_at AS "createdAt" FROM i`,
        [accountId, name, hashToken(token)],
      );
      return { instance: row, token };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const nameTaken = (await this.db.query(`SELECT 1 FROM instances WHERE name = $1`, [name])).length > 0;
      throw new ConflictException(nameTaken ? 'instance name already in use' : 'token already in use');
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
        ? (await this.db.query(`${SELECT} WHERE name = $1 AND account_id = $2`, [name, principal.accountId]))[0]
        : await this.findByName(name);
    if (!row) throw new NotFoundException('instance not found');
    return row;
  }

  async findByName(name: string): Promise<InstanceRow | undefined> {
    if (!isInstanceName(name)) return undefined;
    const [row] = await this.db.query(`${SELECT} WHERE name = $1`, [name]);
    return row;
  }

  list(principal: Principal): Promise<InstanceRow[]> {
    return principal.instance
      ? this.db.query(`${SELECT} WHERE id = $1`, [principal.instance.id])
      : this.db.query(`${SELECT} WHERE account_id = $1 ORDER BY created_at, name`, [principal.accountId]);
  }

  async setStatus(id: string, status: InstanceStatus): Promise<void> {
    await this.db.query(`UPDATE instances SET status = $2 WHERE id = $1`, [id, status]);
  }

  async getStatus(id: string): Promise<InstanceStatus | undefined> {
    const [row] = await this.db.query(`SELECT status FROM instances WHERE id = $1`, [id]);
    return row?.status;
  }

  async delete(id: string): Promise<void> {
    await this.db.query(`DELETE FROM instances WHERE id = $1`, [id]);
  }
}
