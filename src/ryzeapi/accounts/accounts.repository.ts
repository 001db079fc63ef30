import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** Taken while the first account is made, so that nodes starting together on one database make one. */
const FIRST_ACCOUNT_LOCK = 0x72797a65;

@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** An account and its TokenAccount (stored as `tokenHash`) in one statement; its id. */
  async create(name: string, tokenHash: string, db: Pick<EntityManager, 'query'> = this.db): Promise<string> {
    const [{ id }] = await db.query(
      `WITH a AS (INSERT INTO accounts (name) VALUES ($1) RETURNING id)
       INSERT INTO api_tokens (hash, account_id) SELECT $2, id FROM a RETURNING account_id AS id`,
      [name, tokenHash],
    );
    return id;
  }

  /**
   * Creates the account only if there is none yet (false otherwise). `keep` runs before the
   * commit: if it throws, nothing is kept.
   */
  createFirst(name: string, tokenHash: string, keep: () => void): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [FIRST_ACCOUNT_LOCK]);
      if ((await tx.query('SELECT 1 FROM accounts LIMIT 1')).length) return false;
      await this.create(name, tokenHash, tx);
      keep();
      return true;
    });
  }
}
