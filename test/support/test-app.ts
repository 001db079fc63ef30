import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { APP_OPTIONS, configureApp, createApp } from '../../src/ryzeapi/app.factory.js';
import { AppModule, type AppModuleOptions } from '../../src/ryzeapi/app.module.js';
import { AccountsService } from '../../src/ryzeapi/accounts/accounts.service.js';
import { loadConfig, type AppConfig } from '../../src/ryzeapi/config/app-config.js';
import { adminQuery, scratchDir } from './database-template.js';
import { capturedLogs, registerSecret } from './leak-guard.js';

export const TEST_KEY = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

/** Every log line of every app started by this test file, scanned for secrets by leak-guard.ts. */
export { capturedLogs };

/**
 * Where a test app keeps its data. With TEST_DATABASE_URL set, a fresh PostgreSQL database per
 * call; otherwise an embedded PGlite in a fresh folder. Either starts as a copy of the run's
 * migrated template (database-template.js, Jest's globalSetup), else empty. Reuse one to restart
 * an app on the same data.
 */
export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const template = process.env.RYZE_TEST_TEMPLATE;
  if (serverUrl) {
    const name = `ryze_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(serverUrl, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    // DATA_DIR too: the first account's token file goes there, not into the working tree.
    const dir = mkdtempSync(join(tmpdir(), 'ryze-test-'));
    return {
      env: { DATABASE_URL: url.toString(), DATA_DIR: dir },
      drop: async () => {
        await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const dir = mkdtempSync(join(scratchDir(), 'ryze-test-'));
  if (template) cpSync(template, dir, { recursive: true });
  return { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A log destination whose lines go to capturedLogs (scanned for secrets). */
export function logCapture(): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      capturedLogs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  url: string;
  wsUrl: string;
  /** A fresh account's TokenAccount. */
  newAccount(name?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the real application on a random loopback port. `env` is the service's environment
 * (BRIDGE_URL, ENCRYPTION_KEYS, ...); the database comes from `db` (or a fresh one, dropped on close).
 * `options` replace parts of the app (the Baileys socket factory) and, with `override`, providers
 * (fault injection), e.g. `{ override: (m) => m.overrideProvider(X).useClass(Y) }`.
 */
export async function startApp(
  env: Record<string, string> = {},
  db?: TestDatabase,
  options: Omit<AppModuleOptions, 'logStream'> & { override?: (module: TestingModuleBuilder) => TestingModuleBuilder } = {},
): Promise<TestApp> {
  const ownDb = db ? undefined : await createTestDatabase();
  const database = db ?? ownDb!;
  const config = loadConfig({ LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_INSTANCE_NEW_PER_MINUTE: '100000', RATE_LIMIT_INVALID_TOKENS_PER_MINUTE: '100000', ...database.env, ...env });
  registerSecret(env.BRIDGE_TOKEN?.trim());
  registerSecret(config.bootstrapAccountToken);
  config.encryptionKeys.forEach((k) => registerSecret(k.key.toString('base64')));
  const logStream = logCapture();
  const { override, ...appOptions } = options;
  const app = override
    ? configureApp((await override(Test.createTestingModule({ imports: [await AppModule.forRoot(config, { ...appOptions, logStream })] })).compile()).createNestApplication<NestExpressApplication>(APP_OPTIONS), config)
    : await createApp(config, { ...appOptions, logStream });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    config,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    newAccount: async (name = 'test') => {
      const { token } = await app.get(AccountsService).create(name);
      registerSecret(token);
      return token;
    },
    close: async () => {
      await app.close();
      await ownDb?.drop();
    },
  };
}
