/**
 * `npm run keys:rotate`: re-encrypts every stored Chatwoot API token under the first key of
 * ENCRYPTION_KEYS. Run it after putting a new key first (`k2:...,k1:...`); once it reports no
 * failure, the old key can be removed. Prints counts and the instance ids of values it could not
 * decrypt (then exits 1); never a token.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ChatwootIntegration } from '../chatwoot/chatwoot-integration.entity.js';
import { useEncryptionKeys } from '../../shared/crypto/encrypted.transformer.js';
import { TokenDecryptionError } from '../../shared/crypto/token-cipher.js';
import { loadConfig } from '../config/app-config.js';
import { ConfigError } from '../../shared/config/config.error.js';
import { dataSourceOptions, prepareDataDir } from '../database/data-source.options.js';
import { cliFailure } from './cli-errors.js';

interface StoredToken {
  instance_id: string;
  instance_name: string;
  chatwoot_api_token: string;
}

async function main(): Promise<number> {
  let dataSource: DataSource | undefined;
  try {
    const config = loadConfig();
    if (config.encryptionKeys.length === 0) {
      throw new ConfigError('ENCRYPTION_KEYS', 'is required: put the new key first, e.g. k2:<base64 of 32 bytes>,k1:<old key>');
    }
    const cipher = useEncryptionKeys(config.encryptionKeys);
    if (!config.databaseUrl) prepareDataDir(config.dataDir);
    dataSource = await new DataSource(dataSourceOptions(config)).initialize();
    const table = dataSource.getRepository(ChatwootIntegration).metadata.tableName;

    // Raw values, not the entity: one undecryptable row must not stop the others, and it must be named.
    const rows: StoredToken[] = await dataSource.query(
      `SELECT c.instance_id, i.name AS instance_name, c.chatwoot_api_token
         FROM ${table} c JOIN instances i ON i.id = c.instance_id ORDER BY i.name`,
    );
    let rotated = 0;
    let current = 0;
    let changed = 0;
    const failed: string[] = [];
    for (const row of rows) {
      let plain: string;
      try {
        plain = cipher.decrypt(row.chatwoot_api_token);
      } catch (error) {
        if (!(error instanceof TokenDecryptionError)) throw error;
        failed.push(`instance ${row.instance_id} (${row.instance_name}): ${error.message}`);
        continue;
      }
      if (cipher.keyIdOf(row.chatwoot_api_token) === cipher.currentKeyId) {
        current++;
        continue;
      }
      // Only if nobody rewrote it meanwhile (a running service's `set` writes under the new key too).
      const [{ n }] = await dataSource.query(
        `WITH u AS (UPDATE ${table} SET chatwoot_api_token = $3 WHERE instance_id = $1 AND chatwoot_api_token = $2 RETURNING 1)
         SELECT count(*)::int AS n FROM u`,
        [row.instance_id, row.chatwoot_api_token, cipher.encrypt(plain)],
      );
      if (n > 0) rotated++;
      else changed++;
    }

    console.log(`Key "${cipher.currentKeyId}" encrypts. Stored Chatwoot API tokens: ${rows.length}.`);
    console.log(`Re-encrypted: ${rotated}. Already current: ${current}.`);
    if (changed) console.log(`Changed or deleted while rotating (left as they are): ${changed}.`);
    if (failed.length) {
      console.error(`Could not decrypt ${failed.length} stored token(s); they were left as they are:`);
      failed.forEach((line) => console.error(`  ${line}`));
      return 1;
    }
    return 0;
  } catch (error) {
    console.error(cliFailure('keys:rotate', error));
    return 1;
  } finally {
    await dataSource?.destroy().catch(() => undefined);
  }
}

process.exitCode = await main();
