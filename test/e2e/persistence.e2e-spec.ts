import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { hashToken } from '../../src/ryzeapi/auth/token.util.js';
import { api } from '../support/http.js';
import { capturedLogs, createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

/** Data survive a restart on the same database; the bootstrap account is created once. */
describe('persistence across restarts', () => {
  const BOOTSTRAP = 'ryz_acc_bootstrap-token-for-the-tests';
  const env = { BOOTSTRAP_ACCOUNT_TOKEN: BOOTSTRAP };
  let db: TestDatabase;
  // Only one app at a time: the embedded database allows one open instance per process.
  let t: TestApp | undefined;
  let account: string;
  let instanceToken: string;

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await t!.app.get(DataSource).query(sql, params))[0].count);
  const bootstrapLogs = () => capturedLogs.filter((line) => line.includes('created the bootstrap account'));

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.close();
    await db.drop();
  });

  it('first start: bootstrap account, then an account with a connected instance', async () => {
    t = await startApp(env, db);
    expect((await api(t.url, BOOTSTRAP).get('/api/instance/list')).status).toBe(200);
    expect(bootstrapLogs()).toHaveLength(1);

    account = await t.newAccount('durable');
    const created = await api(t.url, account).post('/api/instance/new', { name: 'durable' });
    expect(created.status).toBe(201);
    instanceToken = created.body.instance.token;
    expect((await api(t.url, instanceToken).get('/api/instance/connect/durable')).status).toBe(200);
    expect(await count('SELECT count(*) FROM accounts')).toBe(2);
    await t.close();
    t = undefined;
  });

  it('after a restart: the same tokens work, the instance is listed with its status', async () => {
    t = await startApp(env, db);
    const list = await api(t.url, account).get('/api/instance/list');
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([{ name: 'durable', status: 'connected', created_at: expect.any(String) }]);

    const own = await api(t.url, instanceToken).post('/api/message/text/durable', { number: '5511999999999', message: 'still here' });
    expect(own.status).toBe(201);
  });

  it('after a restart: the bootstrap account is not created again', async () => {
    expect((await api(t!.url, BOOTSTRAP).get('/api/instance/list')).body).toEqual({ success: true, data: [] });
    expect(await count('SELECT count(*) FROM api_tokens WHERE hash = $1', [hashToken(BOOTSTRAP)])).toBe(1);
    expect(await count('SELECT count(*) FROM accounts')).toBe(2);
    expect(bootstrapLogs()).toHaveLength(1);
  });
});
