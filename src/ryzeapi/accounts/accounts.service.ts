import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { generateToken, hashToken } from '../auth/token.util.js';

@Injectable()
export class AccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Creates an account and returns its TokenAccount: the only time the token is in clear. */
  async create(name: string, token = generateToken('acc')): Promise<{ id: string; token: string }> {
    const [{ id }] = await this.db.query(
      `WITH a AS (INSERT INTO accounts (name) VALUES ($1) RETURNING id)
       INSERT INTO api_tokens (hash, account_id) SELECT $2, id FROM a RETURNING account_id AS id`,
      [name, hashToken(token)],
    );
    return { id, token };
  }

  async onApplicationBootstrap(): Promise<void> {
    const token = this.config.bootstrapAccountToken;
    if (!token) return;
    const existing = await this.db.query(`SELECT 1 FROM api_tokens WHERE hash = $1`, [hashToken(token)]);
    if (existing.length) return;
    const { id } = await this.create('bootstrap', token);
    this.logger.log({ accountId: id }, 'created the bootstrap account');
  }
}
