import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { hashToken } from '../../src/ryzeapi/auth/token.util.js';
import { api, request } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { capturedLogs, startApp, type TestApp } from '../support/test-app.js';

/** SPEC section 2: how tokens are sent, what each kind may reach, and how they are stored. */
describe('authentication and authorization', () => {
  let t: TestApp;
  let account: string;
  let otherAccount: string;
  let alphaToken: string;
  let betaToken: string;
  let foreignToken: string;

  const error = (message: string) => ({ success: false, error: { message } });

  async function createInstance(token: string, name: string): Promise<string> {
    const res = await api(t.url, token).post('/api/instance/new', { name });
    expect(res.status).toBe(201);
    return res.body.instance.token;
  }

  beforeAll(async () => {
    t = await startApp();
    account = await t.newAccount('owner');
    otherAccount = await t.newAccount('stranger');
    alphaToken = await createInstance(account, 'alpha');
    betaToken = await createInstance(account, 'beta');
    foreignToken = await createInstance(otherAccount, 'foreign');
  });
  afterAll(() => t.close());

  // One route of each access kind, plus the Chatwoot routes (authenticated before the module check).
  const routes: [string, string][] = [
    ['POST', '/api/instance/new'],
    ['GET', '/api/instance/list'],
    ['GET', '/api/instance/connect/alpha'],
    ['DELETE', '/api/instance/logout/alpha'],
    ['DELETE', '/api/instance/delete/alpha'],
    ['POST', '/api/message/text/alpha'],
    ['GET', '/api/sandbox/sent/alpha'],
    ['GET', '/api/chatwoot/list/alpha'],
  ];

  it.each(routes)('%s %s without a token: 401 Missing token', async (method, path) => {
    const res = await request(t.url, method, path, method === 'POST' ? {} : undefined);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(error('Missing token'));
  });

  it.each(routes)('%s %s with an unknown token: 401 Invalid token', async (method, path) => {
    const res = await request(t.url, method, path, method === 'POST' ? {} : undefined, { token: 'ryz_acc_not-a-real-token' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(error('Invalid token'));
  });

  it('accepts the token as header `token`, as Authorization: Bearer and as ?token=', async () => {
    const viaHeader = await request(t.url, 'GET', '/api/instance/list', undefined, { headers: { token: account } });
    const viaBearer = await request(t.url, 'GET', '/api/instance/list', undefined, { headers: { authorization: `Bearer ${account}` } });
    const viaQuery = await request(t.url, 'GET', `/api/instance/list?token=${encodeURIComponent(account)}`);
    for (const res of [viaHeader, viaBearer, viaQuery]) {
      expect(res.status).toBe(200);
      expect(res.body.data.map((i: { name: string }) => i.name)).toEqual(['alpha', 'beta']);
    }
  });

  it('prefers the `token` header over Authorization, and Authorization over ?token=', async () => {
    const headerWins = await request(t.url, 'GET', `/api/instance/list?token=${account}`, undefined, {
      headers: { token: 'ryz_acc_wrong-token', authorization: `Bearer ${account}` },
    });
    expect(headerWins.status).toBe(401);
    expect(headerWins.body).toEqual(error('Invalid token'));

    const bearerWins = await request(t.url, 'GET', `/api/instance/list?token=${account}`, undefined, {
      headers: { authorization: 'Bearer ryz_acc_wrong-token' },
    });
    expect(bearerWins.status).toBe(401);
    expect(bearerWins.body).toEqual(error('Invalid token'));
  });

  it('never logs a token sent in the query string', async () => {
    const res = await request(t.url, 'GET', `/api/nothing-here?token=${account}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain(account);
    expect(capturedLogs.some((line) => line.includes('/api/nothing-here?token=[Redacted]'))).toBe(true);
    expect(capturedLogs.some((line) => line.includes(account))).toBe(false);
  });

  describe('TokenInstance', () => {
    it('is refused on account-only routes with 401 Invalid token', async () => {
      const create = await api(t.url, alphaToken).post('/api/instance/new', { name: 'gamma' });
      expect(create.status).toBe(401);
      expect(create.body).toEqual(error('Invalid token'));
      const remove = await api(t.url, alphaToken).delete('/api/instance/delete/alpha');
      expect(remove.status).toBe(401);
      expect(remove.body).toEqual(error('Invalid token'));
    });

    it('works on its own instance routes', async () => {
      const connect = await api(t.url, alphaToken).get('/api/instance/connect/alpha');
      expect(connect.status).toBe(200);
      expect(connect.body).toEqual({ success: true, message: 'Instance connected', status: 'connected' });
      const sent = await api(t.url, alphaToken).get('/api/sandbox/sent/alpha');
      expect(sent.status).toBe(200);
      const send = await api(t.url, alphaToken).post('/api/message/text/alpha', { number: '5511999999999', message: 'hi' });
      expect(send.status).toBe(201);
    });

    it('lists only its own instance', async () => {
      const res = await api(t.url, alphaToken).get('/api/instance/list');
      expect(res.status).toBe(200);
      expect(res.body.data.map((i: { name: string }) => i.name)).toEqual(['alpha']);
    });

    it.each([
      ['GET', '/api/instance/connect/beta'],
      ['DELETE', '/api/instance/logout/beta'],
      ['POST', '/api/message/text/beta'],
      ['GET', '/api/sandbox/sent/beta'],
      ['GET', '/api/sandbox/sent/foreign'],
      ['GET', '/api/sandbox/sent/no-such-instance'],
    ])('%s %s (another instance): 403', async (method, path) => {
      const body = method === 'POST' ? { number: '5511999999999', message: 'hi' } : undefined;
      const res = await request(t.url, method, path, body, { token: alphaToken });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(error('Instance token does not match this instance'));
    });
  });

  describe("another account's instance", () => {
    it.each([
      ['GET', '/api/instance/connect/foreign'],
      ['DELETE', '/api/instance/logout/foreign'],
      ['DELETE', '/api/instance/delete/foreign'],
      ['POST', '/api/message/text/foreign'],
      ['GET', '/api/sandbox/sent/foreign'],
    ])('%s %s with a TokenAccount: 404 instance not found', async (method, path) => {
      const body = method === 'POST' ? { number: '5511999999999', message: 'hi' } : undefined;
      const res = await request(t.url, method, path, body, { token: account });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(error('instance not found'));
    });

    it('is still there for its owner', async () => {
      const res = await api(t.url, foreignToken).get('/api/instance/connect/foreign');
      expect(res.status).toBe(200);
      const list = await api(t.url, otherAccount).get('/api/instance/list');
      expect(list.body.data.map((i: { name: string }) => i.name)).toEqual(['foreign']);
    });
  });

  it('stores tokens as SHA-256 hashes only', async () => {
    const rows: Record<string, unknown>[] = await t.app.get(DataSource).query('SELECT * FROM api_tokens');
    const stored = JSON.stringify(rows);
    const firstAccount = readFileSync(t.config.firstAccountTokenFile, 'utf8').trim(); // made at the first start
    registerSecret(firstAccount);
    const tokens = [account, otherAccount, alphaToken, betaToken, foreignToken, firstAccount];
    for (const token of tokens) expect(stored).not.toContain(token);
    expect(rows.map((r) => r.hash).sort()).toEqual(tokens.map(hashToken).sort());
  });
});
