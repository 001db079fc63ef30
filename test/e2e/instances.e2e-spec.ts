import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { startApp, type TestApp } from '../support/test-app.js';

/** SPEC section 7 and the instance routes: create, list, connect, logout, delete. */
describe('instance lifecycle', () => {
  let t: TestApp;
  let account: string;
  let client: ReturnType<typeof api>;

  const error = (message: string) => ({ success: false, error: { message } });
  const names = async (token: string) => (await api(t.url, token).get('/api/instance/list')).body.data.map((i: { name: string }) => i.name);

  beforeAll(async () => {
    t = await startApp();
    account = await t.newAccount();
    client = api(t.url, account);
  });
  afterAll(() => t.close());

  it('creates an instance: 201 with its TokenInstance, and no chatwoot block unless asked', async () => {
    const res = await client.post('/api/instance/new', { name: 'sales' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      message: 'Instance created',
      instance: { name: 'sales', token: expect.stringMatching(/^ryz_ins_[A-Za-z0-9_-]{32}$/), status: 'disconnected' },
    });
    expect(res.body).not.toHaveProperty('chatwoot');
  });

  it('accepts a custom token, which then works as the TokenInstance', async () => {
    const custom = 'my-own-instance-token_0123456789';
    registerSecret(custom);
    const res = await client.post('/api/instance/new', { name: 'custom', token: custom });
    expect(res.status).toBe(201);
    expect(res.body.instance.token).toBe(custom);
    expect(await names(custom)).toEqual(['custom']);
    expect((await api(t.url, custom).get('/api/instance/connect/custom')).status).toBe(200);
  });

  it('lists the account instances with their status', async () => {
    const res = await client.get('/api/instance/list');
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data).toEqual([
      { name: 'sales', status: 'disconnected', created_at: expect.any(String) },
      { name: 'custom', status: 'connected', created_at: expect.any(String) },
    ]);
  });

  it('connects and logs out', async () => {
    const connect = await client.get('/api/instance/connect/sales');
    expect(connect.status).toBe(200);
    expect(connect.body).toEqual({ success: true, message: 'Instance connected', status: 'connected' });
    expect((await client.get('/api/instance/list')).body.data[0].status).toBe('connected');

    const logout = await client.delete('/api/instance/logout/sales');
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ success: true, message: 'Instance logged out', status: 'disconnected' });
    expect((await client.get('/api/instance/list')).body.data[0].status).toBe('disconnected');
  });

  it('deletes an instance; its token stops working and the name is free again', async () => {
    const created = await client.post('/api/instance/new', { name: 'temporary' });
    const token = created.body.instance.token;
    expect((await api(t.url, token).get('/api/instance/list')).status).toBe(200);

    const res = await client.delete('/api/instance/delete/temporary');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Instance deleted' });
    const after = await api(t.url, token).get('/api/instance/list');
    expect(after.status).toBe(401);
    expect(after.body).toEqual(error('Invalid token'));
    expect(await names(account)).not.toContain('temporary');

    const again = await client.delete('/api/instance/delete/temporary');
    expect(again.status).toBe(404);
    expect(again.body).toEqual(error('instance not found'));
    expect((await client.post('/api/instance/new', { name: 'temporary' })).status).toBe(201);
  });

  it('refuses a name already in use, in this account or another one: 409', async () => {
    const same = await client.post('/api/instance/new', { name: 'sales' });
    expect(same.status).toBe(409);
    expect(same.body).toEqual(error('instance name already in use'));
    const other = await api(t.url, await t.newAccount('other')).post('/api/instance/new', { name: 'sales' });
    expect(other.status).toBe(409);
    expect(other.body).toEqual(error('instance name already in use'));
  });

  it('refuses a custom token already in use: 409, and creates nothing', async () => {
    const res = await client.post('/api/instance/new', { name: 'copycat', token: 'my-own-instance-token_0123456789' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual(error('token already in use'));
    expect(await names('my-own-instance-token_0123456789')).toEqual(['custom']);
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'a'.repeat(65)],
    ['a space', 'two words'],
    ['a dot', 'my.instance'],
    ['a slash', 'a/b'],
    ['non-ASCII', 'instância'],
  ])('refuses a name with %s: 400', async (_, name) => {
    const res = await client.post('/api/instance/new', { name });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error('invalid body: name must be 1 to 64 of A-Z a-z 0-9 _ -'));
  });

  it('accepts a name of exactly 64 allowed characters', async () => {
    const name = `A-z_09${'x'.repeat(58)}`;
    const res = await client.post('/api/instance/new', { name });
    expect(res.status).toBe(201);
    expect(res.body.instance.name).toBe(name);
  });

  it.each([
    ['an unknown property', { name: 'extra', foo: 1 }, 'invalid body: property foo should not exist'],
    ['a missing name', {}, 'invalid body: name is required'],
    ['a numeric name', { name: 42 }, 'invalid body: name must be a string'],
    ['a numeric token', { name: 'typed', token: 1234567890123456 }, 'invalid body: token must be a string'],
    ['a short token', { name: 'typed', token: 'short' }, 'invalid body: token must be 16 to 256 of A-Z a-z 0-9 _ - .'],
    ['a string chatwootEnabled', { name: 'typed', chatwootEnabled: 'true' }, 'invalid body: chatwootEnabled must be a boolean value'],
  ])('refuses %s: 400', async (_, body, message) => {
    const res = await client.post('/api/instance/new', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error(message));
  });

  it('created nothing for the refused requests', async () => {
    expect(await names(account)).toEqual(['sales', 'custom', 'temporary', `A-z_09${'x'.repeat(58)}`]);
  });
});
