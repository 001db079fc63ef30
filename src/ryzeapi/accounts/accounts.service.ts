import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { generateToken, hashToken } from '../auth/token.util.js';
import { FirstAccountTokenFile } from './first-account-token.file.js';

/** Taken while the first account is made, so that nodes starting together on one database make one. */
const FIRST_ACCOUNT_LOCK = 0x72797a65;

@Injectable()
export class AccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly tokenFile: FirstAccountTokenFile,
  ) {}

  /** Creates an account and returns its TokenAccount: the only time the token is in clear. */
  async create(name: string, token = generateToken('acc'), db: Pick<DataSource, 'query'> = this.db): Promise<{ id: string; token: string }> {
    const [{ id }] = await db.query(
      `WITH a AS (INSERT INTO accounts (name) VALUES ($1) RETURNING id)
       INSERT INTO api_tokens (hash, account_id) SELECT $2, id FROM a RETURNING account_id AS id`,
      [name, hashToken(token)],
    );
    return { id, token };
  }

  async onApplicationBootstrap(): Promise<void> {
    const token = this.config.bootstrapAccountToken;
    if (!token) return this.createFirstAccount();
    const existing = await this.db.query(`SELECT 1 FROM api_tokens WHERE hash = $1`, [hashToken(token)]);
    if (existing.length) return;
    const { id } = await this.create('bootstrap', token);
    this.logger.log({ accountId: id }, 'created the bootstrap account');
  }

  /**
   * On an empty database, without BOOTSTRAP_ACCOUNT_TOKEN: makes the first account and writes its
   * TokenAccount to a file only its owner can read, named in the log (the token never is). The
   * account is kept only if the file was written: an account nobody can reach helps nobody.
   */
  private async createFirstAccount(): Promise<void> {
    try {
      const created = await this.db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [FIRST_ACCOUNT_LOCK]);
        if ((await tx.query('SELECT 1 FROM accounts LIMIT 1')).length) return false;
        const { token } = await this.create('first', undefined, tx);
        this.tokenFile.write(token);
        return true;
      });
      if (!created) return;
      const file = this.tokenFile.path;
      this.logger.log({ file }, `No account existed: created the first account. Its TokenAccount is in ${file} (readable by its owner only): cat ${file}`);
    } catch (error) {
      this.logger.error(
        { err: error, file: this.tokenFile.path },
        'could not create the first account: create one with `npm run account:create -- <name>`, or start with BOOTSTRAP_ACCOUNT_TOKEN',
      );
    }
  }
}
