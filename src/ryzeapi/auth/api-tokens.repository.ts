import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from './principal.js';

@Injectable()
export class ApiTokensRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async exists(hash: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM api_tokens WHERE hash = $1`, [hash])).length > 0;
  }

  async findPrincipal(hash: string): Promise<Principal | null> {
    const rows: { account_id: string; instance_id: string | null; instance_name: string | null }[] = await this.db.query(
      `SELECT t.account_id, t.instance_id, i.name AS instance_name
         FROM api_tokens t LEFT JOIN instances i ON i.id = t.instance_id
        WHERE t.hash = $1`,
      [hash],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      accountId: row.account_id,
      instance: row.instance_id ? { id: row.instance_id, name: row.instance_name! } : null,
    };
  }
}
