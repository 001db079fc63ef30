import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { InstanceStatus } from './instance.entity.js';

export interface InstanceRow {
  id: string;
  name: string;
  accountId: string;
  status: InstanceStatus;
  createdAt: Date;
}

const SELECT = `SELECT id, name, account_id AS "accountId", status, created_at AS "createdAt" FROM instances`;

@Injectable()
export class InstancesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The instance and its TokenInstance (stored as `tokenHash`) in one statement; a taken name or token is a unique violation. */
  async create(accountId: string, name: string, tokenHash: string): Promise<InstanceRow> {
    const [row] = await this.db.query(
      `WITH i AS (INSERT INTO instances (account_id, name) VALUES ($1, $2)
                  RETURNING id, name, account_id, status, created_at),
            t AS (INSERT INTO api_tokens (hash, account_id, instance_id) SELECT $3, $1, id FROM i)
       SELECT id, name, account_id AS "accountId", status, created_at AS "createdAt" FROM i`,
      [accountId, name, tokenHash],
    );
    return row;
  }

  async nameTaken(name: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM instances WHERE name = $1`, [name])).length > 0;
  }

  async findByName(name: string): Promise<InstanceRow | undefined> {
    const [row] = await this.db.query(`${SELECT} WHERE name = $1`, [name]);
    return row;
  }

  async findOfAccount(accountId: string, name: string): Promise<InstanceRow | undefined> {
    const [row] = await this.db.query(`${SELECT} WHERE name = $1 AND account_id = $2`, [name, accountId]);
    return row;
  }

  /** One instance by id, as a list (what a TokenInstance lists). */
  byId(id: string): Promise<InstanceRow[]> {
    return this.db.query(`${SELECT} WHERE id = $1`, [id]);
  }

  ofAccount(accountId: string): Promise<InstanceRow[]> {
    return this.db.query(`${SELECT} WHERE account_id = $1 ORDER BY created_at, name`, [accountId]);
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
