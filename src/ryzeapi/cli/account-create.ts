/**
 * `npm run account:create -- <name>`: creates an account and prints its TokenAccount, alone, as
 * the last line (scripts can take it with `tail -n 1`). Uses the service's own configuration and
 * database, running pending migrations first.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { ApiTokensRepository } from '../auth/api-tokens.repository.js';
import { FirstAccountTokenFile } from '../accounts/first-account-token.file.js';
import { loadConfig } from '../config/app-config.js';
import { cliFailure } from './cli-errors.js';
import { dataSourceOptions, prepareDataDir } from '../database/data-source.options.js';

const USAGE = 'usage: npm run account:create -- <name>';
const MAX_NAME = 100; // accounts.name is varchar(100)

class UsageError extends Error {}

function accountName(args: string[]): string {
  if (args.length > 1) throw new UsageError(`expected one account name, got ${args.length} arguments (quote a name with spaces)\n${USAGE}`);
  const name = args[0]?.trim();
  if (!name) throw new UsageError(`the account name is missing\n${USAGE}`);
  if (name.length > MAX_NAME) throw new UsageError(`the account name is longer than ${MAX_NAME} characters`);
  return name;
}

async function main(args: string[]): Promise<number> {
  let dataSource: DataSource | undefined;
  try {
    const name = accountName(args);
    const config = loadConfig();
    if (!config.databaseUrl) prepareDataDir(config.dataDir);
    dataSource = await new DataSource(dataSourceOptions(config)).initialize();
    const { id, token } = await new AccountsService(new AccountsRepository(dataSource), new ApiTokensRepository(dataSource), config, new FirstAccountTokenFile(config)).create(name);
    console.log(`Created account "${name}" (id ${id}). Its TokenAccount, shown only now:`);
    console.log(token);
    return 0;
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : cliFailure('account:create', error));
    return 1;
  } finally {
    await dataSource?.destroy().catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
