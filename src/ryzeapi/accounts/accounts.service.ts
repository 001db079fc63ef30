import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ApiTokensRepository } from '../auth/api-tokens.repository.js';
import { generateToken, hashToken } from '../auth/token.util.js';
import { AccountsRepository } from './accounts.repository.js';
import { FirstAccountTokenFile } from './first-account-token.file.js';

@Injectable()
export class AccountsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly tokens: ApiTokensRepository,
    private readonly config: AppConfig,
    private readonly tokenFile: FirstAccountTokenFile,
  ) {}

  /** Creates an account and returns its TokenAccount: the only time the token is in clear. */
  async create(name: string, token = generateToken('acc')): Promise<{ id: string; token: string }> {
    return { id: await this.accounts.create(name, hashToken(token)), token };
  }

  async onApplicationBootstrap(): Promise<void> {
    const token = this.config.bootstrapAccountToken;
    if (!token) return this.createFirstAccount();
    if (await this.tokens.exists(hashToken(token))) return;
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
      const token = generateToken('acc');
      const created = await this.accounts.createFirst('first', hashToken(token), () => this.tokenFile.write(token));
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
