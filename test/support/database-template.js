/**
 * Jest globalSetup / globalTeardown: one migrated database per test run, which every test database
 * starts from (see createTestDatabase in test-app.ts) instead of migrating again. With
 * TEST_DATABASE_URL, a PostgreSQL database used as `CREATE DATABASE ... TEMPLATE`; otherwise an
 * embedded PGlite folder that is copied. Both applications' migrations (RyzeAPI's, the bridge's)
 * are applied, through the compiled data source options the services use (dist/ is built by
 * `pretest`); an app started on a copy finds no pending migration.
 *
 * Plain JavaScript: Jest loads this outside its TypeScript transform. The template's name goes to
 * the tests (and Jest's workers) in RYZE_TEST_TEMPLATE. cli-layout.e2e-spec.ts still runs the
 * service and the CLIs on an empty DATA_DIR of their own, which they migrate.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * tmpfs where there is a roomy one (a container's default /dev/shm holds 64 MB): copying the
 * embedded database's ~40 MB folder for each test database costs little there.
 */
export function scratchDir() {
  if (!existsSync('/dev/shm')) return tmpdir();
  const { bavail, bsize } = statfsSync('/dev/shm');
  return bavail * bsize > 2 ** 30 ? '/dev/shm' : tmpdir();
}

/** One statement on the server's maintenance database. */
export async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function compiled(path) {
  const file = join(ROOT, 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: build first (npm test runs the build in pretest)`);
  return import(pathToFileURL(file).href);
}

/** Runs both applications' migrations on `settings` (DatabaseSettings), one after the other. */
async function migrate(settings) {
  const { DataSource } = await import('typeorm');
  const { dataSourceOptions } = await compiled('src/ryzeapi/database/data-source.options.js');
  const { bridgeDataSourceOptions } = await compiled('src/bridge/database/data-source.options.js');
  for (const options of [dataSourceOptions(settings), bridgeDataSourceOptions(settings)]) {
    // migrationsRun is set: initialize() applies every migration.
    const dataSource = await new DataSource(options).initialize();
    await dataSource.destroy();
  }
}

/** Only the unit tests under src/ are selected: none of them needs a database. */
function unitTestsOnly(globalConfig) {
  const patterns = globalConfig?.testPathPatterns?.patterns ?? [];
  return patterns.length > 0 && patterns.every((pattern) => relative(ROOT, resolve(ROOT, pattern)).startsWith(`src${sep}`));
}

export default async function globalSetup(globalConfig) {
  // Without a template a test database starts empty and the app migrates it: slower, same result.
  delete process.env.RYZE_TEST_TEMPLATE;
  if (unitTestsOnly(globalConfig)) return;
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `ryze_template_${randomBytes(6).toString('hex')}`;
    await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    process.env.RYZE_TEST_TEMPLATE = name;
    await migrate({ databaseUrl: url.toString(), dataDir: '' }).catch(failed);
  } else {
    process.env.RYZE_TEST_TEMPLATE = mkdtempSync(join(scratchDir(), 'ryze-template-'));
    await migrate({ dataDir: process.env.RYZE_TEST_TEMPLATE }).catch(failed);
  }
}

/** Jest runs no teardown after a failed setup: the half-made template goes now. */
async function failed(error) {
  await globalTeardown();
  throw error;
}

export async function globalTeardown() {
  const template = process.env.RYZE_TEST_TEMPLATE;
  if (!template) return;
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  else rmSync(template, { recursive: true, force: true });
}
