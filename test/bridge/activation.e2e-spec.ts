import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../support/channel-helpers.js';
import { api } from '../support/http.js';
import { BRIDGE_TOKEN, connectedInstance, startStack, type Stack } from '../support/test-bridge.js';

/** Activation, status and deletion through RyzeAPI's own API, with the real bridge and a fake Chatwoot. */
describe('bridge: activation (SPEC 4, 8, 13.2)', () => {
  let stack: Stack;
  let client: ReturnType<typeof api>;
  const bridgeApi = () => api(stack.bridge.url);
  const bridgeStatus = (id: string) => bridgeApi().get(`/v1/integrations/${id}`, { headers: { authorization: `Bearer ${BRIDGE_TOKEN}` } });
  const set = (instance: string, settings: Record<string, unknown> = {}) =>
    client.post(`/api/chatwoot/set/${instance}`, {
      chatwootBaseUrl: stack.chatwoot.url,
      chatwootAccountId: stack.chatwoot.accountId,
      chatwootApiToken: stack.chatwoot.token,
      ...settings,
    });
  const newInstance = async (name: string) => expect((await client.post('/api/instance/new', { name })).status).toBe(201);

  beforeAll(async () => {
    stack = await startStack({ bridgeEnv: { PUBLIC_URL: 'https://bridge.example.com' } });
    client = api(stack.ryze.url, stack.account);
  });

  afterAll(async () => {
    stack.chatwoot.assertNoViolations();
    await stack?.close();
  });

  it('creates an API inbox with a secret webhook URL, stores the token encrypted, and opens the socket', async () => {
    await newInstance('suporte');
    const res = await set('suporte', { inboxName: 'WhatsApp Suporte', startAsPending: true });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ instance: 'suporte', status: 'active', bridge_integration_id: expect.stringMatching(/^int_[0-9a-f]{24}$/), message: 'chatwoot integration activated' });
    const id = res.body.bridge_integration_id;
    const inbox = stack.chatwoot.inboxes().find((i) => i.name === 'WhatsApp Suporte')!;
    expect(inbox.channelType).toMatch(/api/i);
    const match = new RegExp(`^https://bridge\\.example\\.com/v1/chatwoot/webhook/${id}/([A-Za-z0-9_-]+)$`).exec(inbox.webhookUrl);
    expect(match).not.toBeNull();
    expect(Buffer.from(match![1], 'base64url').length).toBeGreaterThanOrEqual(16);

    await waitFor('socket open', async () => (await bridgeStatus(id)).body.status === 'active');
    const list = await client.get('/api/chatwoot/list/suporte');
    expect(list.body).toMatchObject({ status: 'active', chatwoot_inbox_id: inbox.id, last_error: '', bridge_connected: true });
  });

  it('keeps the Chatwoot token encrypted at rest', async () => {
    const { DataSource } = await import('typeorm');
    const rows = await stack.bridge.app.get(DataSource).query('SELECT chatwoot_api_token FROM bridge_integrations');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.chatwoot_api_token).toMatch(/^v1\./);
      expect(row.chatwoot_api_token).not.toContain(stack.chatwoot.token);
    }
  });

  it('updates the same inbox in place on a second set, and makes a new one when Chatwoot lost it', async () => {
    const before = stack.chatwoot.inboxes().length;
    const again = await set('suporte', { inboxName: 'Suporte 2' });
    expect(again.status).toBe(201);
    expect(stack.chatwoot.inboxes()).toHaveLength(before);
    const inbox = stack.chatwoot.inboxes().find((i) => i.name === 'Suporte 2')!;
    expect(inbox).toBeDefined();
    stack.chatwoot.deleteInbox(inbox.id);
    const third = await set('suporte', { inboxName: 'Suporte 3' });
    expect(third.status).toBe(201);
    expect(third.body.bridge_integration_id).toBe(again.body.bridge_integration_id);
    const recreated = stack.chatwoot.inboxes().find((i) => i.name === 'Suporte 3')!;
    expect(recreated.id).not.toBe(inbox.id);
    expect((await client.get('/api/chatwoot/list/suporte')).body.chatwoot_inbox_id).toBe(recreated.id);
  });

  it('gives two instances two inboxes', async () => {
    const a = await connectedInstance(stack, 'two-a');
    const b = await connectedInstance(stack, 'two-b');
    const ids = [a, b].map((x) => x.integrationId);
    expect(new Set(ids).size).toBe(2);
    expect(stack.chatwoot.inboxes().filter((i) => i.name === 'two-a' || i.name === 'two-b')).toHaveLength(2);
  });

  describe('every error row of section 4, through POST /api/chatwoot/set', () => {
    beforeAll(() => newInstance('errors'));

    it('Chatwoot 401: the token is rejected', async () => {
      const res = await set('errors', { chatwootApiToken: 'not-a-real-chatwoot-token' });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('Chatwoot rejected the API token — verify chatwootApiToken. Detail: Invalid Access Token');
    });

    it('Chatwoot 403', async () => {
      stack.chatwoot.failNext(1, 403, { method: 'GET', path: '/inboxes' });
      const res = await set('errors');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(new RegExp(`^Chatwoot denied the request — verify the API token has admin scope on account ${stack.chatwoot.accountId}\\. Detail: .+`));
    });

    it('an agent token (not administrator) cannot create the inbox: Chatwoot says so', async () => {
      const res = await set('errors', { chatwootApiToken: stack.chatwoot.agentToken });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('Chatwoot rejected the API token — verify chatwootApiToken. Detail: You are not authorized to do this action');
    });

    it('Chatwoot 404: unknown account', async () => {
      const res = await set('errors', { chatwootAccountId: 999 });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `Chatwoot account or endpoint not found — verify chatwootBaseUrl (${stack.chatwoot.url}) and chatwootAccountId (999). Detail: Resource could not be found`,
      );
    });

    it('Chatwoot 422: an inbox name Chatwoot refuses', async () => {
      const res = await set('errors', { inboxName: '<bad name>' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^Chatwoot rejected the request as invalid — verify inboxName and the integration settings\. Detail: .+/);
    });

    it('Chatwoot unreachable', async () => {
      const res = await set('errors', { chatwootBaseUrl: 'http://127.0.0.1:1' });
      expect(res.status).toBe(502);
      expect(res.body.error.message).toBe('Chatwoot is unreachable at http://127.0.0.1:1 — verify chatwootBaseUrl. Detail: ECONNREFUSED');
    });

    it('Chatwoot 5xx: any other gateway failure', async () => {
      stack.chatwoot.failNext(1, 500, { method: 'GET', path: '/inboxes' });
      const res = await set('errors');
      expect(res.status).toBe(502);
      expect(res.body.error.message).toMatch(/^integration gateway error \(HTTP 502\)\. Detail: .+/);
    });

    it('the bridge does not answer in time (Chatwoot hangs longer than RyzeAPI waits)', async () => {
      const timeouts = stack.ryze.config.bridge!.timeouts;
      const saved = timeouts.activateMs;
      timeouts.activateMs = 500;
      await stack.chatwoot.outage('hang');
      try {
        const res = await set('errors');
        expect(res.status).toBe(504);
        expect(res.body.error.message).toBe('integration gateway timed out');
      } finally {
        timeouts.activateMs = saved;
        await stack.chatwoot.outage(null);
      }
    });

    it('bridge down, then a wrong BRIDGE_TOKEN, as RyzeAPI sees them', async () => {
      let down: Awaited<ReturnType<typeof set>> | undefined;
      await stack.restartBridge(async () => {
        down = await set('errors');
      });
      expect(down!.status).toBe(502);
      expect(down!.body.error.message).toBe('integration gateway unavailable. Detail: ECONNREFUSED');
      await stack.restartBridge(undefined, { BRIDGE_TOKEN: 'another-bridge-token-entirely' });
      const wrong = await set('errors');
      expect(wrong.status).toBe(502);
      expect(wrong.body.error.message).toBe('integration gateway rejected the service token — verify BRIDGE_TOKEN');
      await stack.restartBridge();
    });

    it('a failed set changes nothing; then a good one works', async () => {
      expect((await client.get('/api/chatwoot/list/errors')).status).toBe(404);
      expect((await set('errors')).status).toBe(201);
    });
  });

  it('status: error with what to fix when Chatwoot rejects the token; active again once set fixes it', async () => {
    const user = stack.chatwoot.createUser({ name: 'Admin 2' });
    const { integrationId } = await connectedInstance(stack, 'revoked', { chatwootApiToken: user.token });
    stack.chatwoot.revokeToken(user.token);
    await api(stack.ryze.url, stack.account).post('/api/sandbox/receive/revoked', { from: '5511911110000', name: 'Ana', text: 'oi' });
    const status = await waitFor('error status', async () => {
      const res = await bridgeStatus(integrationId);
      return res.body.status === 'error' ? res.body : undefined;
    });
    expect(status.last_error).toMatch(/rejected the API token \(HTTP 401: Invalid Access Token\): set a valid administrator token with POST \/api\/chatwoot\/set/);
    const list = await client.get('/api/chatwoot/list/revoked');
    expect(list.body).toMatchObject({ status: 'error', last_error: status.last_error });
    expect((await set('revoked')).status).toBe(201);
    await waitFor('message written after the fix', () => stack.chatwoot.messages().some((m) => m.content === 'oi'));
    await waitFor('active again', async () => (await bridgeStatus(integrationId)).body.status === 'active');
    expect((await bridgeStatus(integrationId)).body.last_error).toBe('');
  });

  it('status: paused, naming RyzeAPI, while the socket cannot connect; 404 for an unknown id; 401 without the token', async () => {
    const { integrationId } = await connectedInstance(stack, 'paused');
    // RyzeAPI forgets the integration behind the bridge's back: the upgrade now gets 404.
    const { DataSource } = await import('typeorm');
    await stack.ryze.app.get(DataSource).query(`DELETE FROM chatwoot_integrations WHERE bridge_integration_id = $1`, [integrationId]);
    await stack.restartBridge();
    const paused = await waitFor('paused after a refused upgrade', async () => {
      const res = await bridgeStatus(integrationId);
      return res.body.status === 'paused' && /HTTP 404/.test(res.body.last_error) ? res.body : undefined;
    });
    expect(paused.last_error).toMatch(/^RyzeAPI unreachable at ws:\/\/127\.0\.0\.1:\d+\/ws\/chatwoot\/paused \(HTTP 404\); retrying/);
    expect((await bridgeStatus('int_unknown')).status).toBe(404);
    expect((await bridgeStatus('int_unknown')).body).toEqual({ error: { message: 'integration not found' } });
    expect((await bridgeApi().get(`/v1/integrations/${integrationId}`)).status).toBe(401);
  });

  it('status: error when the inbox was deleted in Chatwoot; events wait, and set makes a new inbox that gets them', async () => {
    const { integrationId } = await connectedInstance(stack, 'inbox-gone', { inboxName: 'Gone soon' });
    const receive = (text: string) => client.post('/api/sandbox/receive/inbox-gone', { from: '5511922220000', name: 'Eva', text });
    await receive('before');
    await waitFor('first message', () => stack.chatwoot.messages().some((m) => m.content === 'before'));
    const old = stack.chatwoot.inboxes().find((i) => i.name === 'Gone soon')!;
    stack.chatwoot.deleteInbox(old.id);
    await receive('while gone');
    const status = await waitFor('error status', async () => {
      const res = await bridgeStatus(integrationId);
      return res.body.status === 'error' ? res.body : undefined;
    });
    expect(status.last_error).toBe(`the Chatwoot inbox ${old.id} was deleted: run POST /api/chatwoot/set again to create a new one (events wait meanwhile)`);
    expect((await set('inbox-gone', { inboxName: 'Back again' })).status).toBe(201);
    const inbox = stack.chatwoot.inboxes().find((i) => i.name === 'Back again')!;
    await waitFor('the waiting message in the new inbox', () => stack.chatwoot.messages().some((m) => m.content === 'while gone' && m.inboxId === inbox.id));
    await waitFor('active again', async () => (await bridgeStatus(integrationId)).body.status === 'active');
    expect((await bridgeStatus(integrationId)).body).toMatchObject({ status: 'active', inbox_id: inbox.id, last_error: '' });
  });

  it('the bridge refuses a malformed activation with its error body, before calling Chatwoot', async () => {
    const calls = stack.chatwoot.requests.length;
    const post = (raw: string) =>
      api(stack.bridge.url).post('/v1/integrations/activate', undefined, { raw, headers: { authorization: `Bearer ${BRIDGE_TOKEN}` } });
    expect((await post('{not json')).body).toEqual({ error: { message: 'invalid body: not valid JSON' } });
    const bad = await post(JSON.stringify({ instance: 'x', ryzeapi: { base_url: 'http://a', ws_url: 'ws://a/ws' }, chatwoot: { base_url: 'ftp://x', account_id: 1, api_token: 't' } }));
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { message: 'invalid body: chatwoot.base_url must be an absolute http(s) URL' } });
    expect(stack.chatwoot.requests.length).toBe(calls);
  });

  it('deletion removes the inbox in Chatwoot and the integration on both sides', async () => {
    const { integrationId } = await connectedInstance(stack, 'to-delete', { inboxName: 'Doomed' });
    expect(stack.chatwoot.inboxes().some((i) => i.name === 'Doomed')).toBe(true);
    const res = await client.delete('/api/chatwoot/delete/to-delete');
    expect(res.status).toBe(200);
    expect(stack.chatwoot.inboxes().some((i) => i.name === 'Doomed')).toBe(false);
    expect((await bridgeStatus(integrationId)).status).toBe(404);
  });
});
