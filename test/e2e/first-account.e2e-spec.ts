import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { capturedLogs, createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

const FIRST_ACCOUNT_LOG = /No account existed: created the first account/;

/** A first start on an empty database hands its person a TokenAccount, in a file only they can read. */
describe('the first account', () => {
  let db: TestDatabase;
  let t: TestApp | undefined;
  let file: string;
  let token: string;

  const firstAccountLogs = () => capturedLogs.filter((line) => FIRST_ACCOUNT_LOG.test(line));
  const accounts = async () => Number((await t!.app.get(DataSource).query('SELECT count(*) FROM accounts'))[0].count);

  beforeAll(async () => {
    db = await createTestDatabase();
    file = resolve(db.env.DATA_DIR, 'first-account-token');
  });
  afterAll(async () => {
    await t?.close();
    await db.drop();
  });

  it('is created on an empty database, its token written to DATA_DIR/first-account-token, mode 0600', async () => {
    t = await startApp({}, db);
    expect(existsSync(file)).toBe(true);
    token = readFileSync(file, 'utf8').trimEnd();
    registerSecret(token); // the leak guard now fails the file if the token shows up in any log line
    expect(token).toMatch(/^ryz_acc_[A-Za-z0-9_-]{32}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await accounts()).toBe(1);

    const created = await api(t.url, token).post('/api/instance/new', { name: 'first-one' });
    expect(created.status).toBe(201);
  });

  it('is announced by one log line naming the file, never the token', () => {
    const lines = firstAccountLogs();
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line.file).toBe(file);
    expect(line.msg).toBe(`No account existed: created the first account. Its TokenAccount is in ${file} (readable by its owner only): cat ${file}`);
    expect(lines[0]).not.toContain(token);
  });

  it('is not created again on a restart, and the file is left as it was', async () => {
    const before = statSync(file).mtimeMs;
    await t!.close();
    t = await startApp({}, db);
    expect(await accounts()).toBe(1);
    expect(firstAccountLogs()).toHaveLength(1);
    expect(statSync(file).mtimeMs).toBe(before);
    expect(readFileSync(file, 'utf8').trimEnd()).toBe(token);
  });
});

describe('the first account with BOOTSTRAP_ACCOUNT_TOKEN', () => {
  it('is not created: the bootstrap account is the only one, and no token file is written', async () => {
    const db = await createTestDatabase();
    const t = await startApp({ BOOTSTRAP_ACCOUNT_TOKEN: 'ryz_acc_bootstrap-for-first-account-test' }, db);
    try {
      const [{ count }] = await t.app.get(DataSource).query('SELECT count(*) FROM accounts');
      expect(Number(count)).toBe(1);
      expect(existsSync(join(db.env.DATA_DIR, 'first-account-token'))).toBe(false);
    } finally {
      await t.close();
      await db.drop();
    }
  });

  it('goes where FIRST_ACCOUNT_TOKEN_FILE says', async () => {
    const db = await createTestDatabase();
    const where = join(db.env.DATA_DIR, 'elsewhere', 'token.txt');
    const t = await startApp({ FIRST_ACCOUNT_TOKEN_FILE: where }, db);
    try {
      registerSecret(readFileSync(where, 'utf8').trimEnd());
      expect(statSync(where).mode & 0o777).toBe(0o600);
      expect(existsSync(join(db.env.DATA_DIR, 'first-account-token'))).toBe(false);
    } finally {
      await t.close();
      await db.drop();
    }
  });
});
