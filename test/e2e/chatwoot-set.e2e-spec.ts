import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ChatwootIntegration } from '../../src/ryzeapi/chatwoot/chatwoot-integration.entity.js';
import { FakeBridge, type Failure } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { capturedLogs, startApp, TEST_KEY, type TestApp } from '../support/test-app.js';

const INTERNAL_URL = 'http://ryzeapi.internal:8080';
let tokens = 0;

/** A valid body with a fresh Chatwoot API token (registered with the leak guard). */
function settings(overrides: Record<string, unknown> = {}) {
  const chatwootApiToken = `cw-api-token-${++tokens}-${Math.random().toString(36).slice(2)}`;
  registerSecret(chatwootApiToken);
  return { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken, ...overrides };
}

const error = (message: string) => ({ success: false, error: { message } });

/** The stored row, read with raw SQL (token column as stored: ciphertext). */
async function storedRows(t: TestApp, instance: string): Promise<Record<string, unknown>[]> {
  return t.app.get(DataSource).query(
    `SELECT c.* FROM chatwoot_integrations c JOIN instances i ON i.id = c.instance_id WHERE i.name = $1`,
    [instance],
  );
}

/** The stored token, decrypted through the entity's transformer. */
async function storedToken(t: TestApp, instanceId: string): Promise<string | undefined> {
  const row = await t.app.get(DataSource).getRepository(ChatwootIntegration).findOne({
    where: { instanceId },
    select: { instanceId: true, chatwootApiToken: true },
  });
  return row?.chatwootApiToken;
}

describe('POST /api/chatwoot/set/:instance', () => {
  const bridge = new FakeBridge();
  beforeAll(() => bridge.start());
  afterAll(() => bridge.stop());

  describe('with the module enabled', () => {
    let t: TestApp;
    let account: ReturnType<typeof api>;
    const newInstance = async (name: string) => {
      const res = await account.post('/api/instance/new', { name });
      expect(res.status).toBe(201);
      return res.body.instance.token as string;
    };

    beforeAll(async () => {
      t = await startApp({ BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, BRIDGE_INTERNAL_RYZEAPI_URL: INTERNAL_URL, ENCRYPTION_KEYS: TEST_KEY });
      account = api(t.url, await t.newAccount());
    });
    afterAll(() => t.close());

    describe('checks, in the contract order', () => {
      let calls: number;
      beforeAll(async () => {
        await newInstance('order');
        await newInstance('order-other');
        calls = bridge.requests.length;
      });

      it('answers 401 before anything else', async () => {
        const none = await api(t.url).post('/api/chatwoot/set/no-such-instance', { bad: true });
        expect([none.status, none.body]).toEqual([401, error('Missing token')]);
        const wrong = await api(t.url, 'ryz_acc_wrong').post('/api/chatwoot/set/no-such-instance', { bad: true });
        expect([wrong.status, wrong.body]).toEqual([401, error('Invalid token')]);
      });

      it('answers 404 instance not found before looking at the body', async () => {
        const res = await account.post('/api/chatwoot/set/no-such-instance', { bad: true });
        expect([res.status, res.body]).toEqual([404, error('instance not found')]);
        const otherAccount = api(t.url, await t.newAccount('other'));
        const foreign = await otherAccount.post('/api/chatwoot/set/order', settings());
        expect([foreign.status, foreign.body]).toEqual([404, error('instance not found')]);
      });

      it('answers 403 to a TokenInstance on another instance', async () => {
        const instanceToken = await newInstance('order-own');
        const res = await api(t.url, instanceToken).post('/api/chatwoot/set/order', settings());
        expect([res.status, res.body]).toEqual([403, error('Instance token does not match this instance')]);
      });

      it.each<[string, unknown, string]>([
        ['a URL without scheme', settings({ chatwootBaseUrl: 'chatwoot.example.com' }), 'chatwootBaseUrl must be an absolute http(s) URL'],
        ['a relative URL', settings({ chatwootBaseUrl: '/app/accounts' }), 'chatwootBaseUrl must be an absolute http(s) URL'],
        ['an ftp URL', settings({ chatwootBaseUrl: 'ftp://chatwoot.example.com' }), 'chatwootBaseUrl must be an absolute http(s) URL'],
        ['a missing URL', settings({ chatwootBaseUrl: undefined }), 'chatwootBaseUrl is required'],
        ['accountId 0', settings({ chatwootAccountId: 0 }), 'chatwootAccountId must be greater than 0'],
        ['a negative accountId', settings({ chatwootAccountId: -5 }), 'chatwootAccountId must be greater than 0'],
        ['a non-integer accountId', settings({ chatwootAccountId: 1.5 }), 'chatwootAccountId must be an integer'],
        ['a string accountId', settings({ chatwootAccountId: '5' }), 'chatwootAccountId must be an integer'],
        ['a missing accountId', settings({ chatwootAccountId: undefined }), 'chatwootAccountId is required'],
        ['an empty token', settings({ chatwootApiToken: '' }), 'chatwootApiToken should not be empty'],
        ['a missing token', settings({ chatwootApiToken: undefined }), 'chatwootApiToken is required'],
        ['an empty inboxName', settings({ inboxName: '' }), 'inboxName should not be empty'],
        ['a non-boolean option', settings({ signMessages: 'yes' }), 'signMessages must be a boolean value'],
        ['an unknown property', settings({ chatwootInboxId: 3 }), 'property chatwootInboxId should not exist'],
        ['an empty object', {}, 'chatwootBaseUrl is required; chatwootAccountId is required; chatwootApiToken is required'],
        ['an array', [settings()], 'expected a JSON object'],
      ])('answers 400 to %s', async (_case, body, problem) => {
        const res = await account.post('/api/chatwoot/set/order', body);
        expect([res.status, res.body]).toEqual([400, error(`invalid body: ${problem}`)]);
      });

      it('called the bridge for none of them and stored nothing', async () => {
        expect(bridge.requests.length).toBe(calls);
        expect(await storedRows(t, 'order')).toEqual([]);
      });
    });

    describe('activation', () => {
      let instanceId: string;
      let integrationId: string;
      let first: ReturnType<typeof settings>;

      it('asks the bridge, stores the integration and answers 201', async () => {
        await newInstance('suporte');
        first = settings({ chatwootBaseUrl: 'https://chatwoot.example.com/' });
        const before = bridge.requests.length;
        const res = await account.post('/api/chatwoot/set/suporte', first);

        expect(res.status).toBe(201);
        integrationId = res.body.bridge_integration_id;
        expect(bridge.integrations.get(integrationId)?.instance).toBe('suporte');
        expect(res.body).toEqual({ instance: 'suporte', status: 'active', bridge_integration_id: integrationId, message: 'chatwoot integration activated' });

        const sent = bridge.requests.slice(before);
        expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/integrations/activate']);
        expect(sent[0].headers.authorization).toBe(`Bearer ${bridge.token}`);
        expect(sent[0].headers['content-type']).toMatch(/^application\/json/);
        expect(sent[0].body).toEqual({
          instance: 'suporte',
          integration_id: null,
          ryzeapi: { base_url: INTERNAL_URL, ws_url: 'ws://ryzeapi.internal:8080/ws/chatwoot/suporte' },
          chatwoot: { base_url: 'https://chatwoot.example.com', account_id: 5, api_token: first.chatwootApiToken, inbox_name: 'suporte' },
          options: { sign_messages: false, ignore_groups: false, start_as_pending: false, reopen_resolved: false },
        });

        const [row] = await storedRows(t, 'suporte');
        instanceId = row.instance_id as string;
        expect(row).toMatchObject({
          bridge_integration_id: integrationId,
          chatwoot_base_url: 'https://chatwoot.example.com',
          chatwoot_account_id: 5,
          chatwoot_inbox_id: 17,
          chatwoot_inbox_name: 'suporte',
          sign_messages: false,
          ignore_groups: false,
          start_as_pending: false,
          reopen_resolved: false,
          status: 'active',
          last_error: '',
        });
        expect(row.chatwoot_api_token).not.toContain(first.chatwootApiToken);
        expect(await storedToken(t, instanceId)).toBe(first.chatwootApiToken);
      });

      it('removes every trailing slash of chatwootBaseUrl, keeping its path', async () => {
        await newInstance('slashes');
        const res = await account.post('/api/chatwoot/set/slashes', settings({ chatwootBaseUrl: 'http://10.0.0.5:3000/chatwoot///' }));
        expect(res.status).toBe(201);
        expect(bridge.requests.at(-1)!.body.chatwoot.base_url).toBe('http://10.0.0.5:3000/chatwoot');
        expect((await storedRows(t, 'slashes'))[0].chatwoot_base_url).toBe('http://10.0.0.5:3000/chatwoot');
      });

      it('updates in place on a second set: the bridge gets the stored id, one row remains', async () => {
        const [before] = await storedRows(t, 'suporte');
        const second = settings({
          chatwootBaseUrl: 'https://cw2.example.com',
          chatwootAccountId: 7,
          inboxName: 'WhatsApp - Suporte',
          signMessages: true,
          ignoreGroups: true,
          startAsPending: true,
          reopenResolved: true,
        });
        bridge.inboxId = 23;
        const res = await account.post('/api/chatwoot/set/suporte', second).finally(() => (bridge.inboxId = 17));

        expect([res.status, res.body]).toEqual([201, { instance: 'suporte', status: 'active', bridge_integration_id: integrationId, message: 'chatwoot integration activated' }]);
        expect(bridge.requests.at(-1)!.body).toEqual({
          instance: 'suporte',
          integration_id: integrationId,
          ryzeapi: { base_url: INTERNAL_URL, ws_url: 'ws://ryzeapi.internal:8080/ws/chatwoot/suporte' },
          chatwoot: { base_url: 'https://cw2.example.com', account_id: 7, api_token: second.chatwootApiToken, inbox_name: 'WhatsApp - Suporte' },
          options: { sign_messages: true, ignore_groups: true, start_as_pending: true, reopen_resolved: true },
        });
        const rows = await storedRows(t, 'suporte');
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          instance_id: instanceId,
          bridge_integration_id: integrationId,
          chatwoot_base_url: 'https://cw2.example.com',
          chatwoot_account_id: 7,
          chatwoot_inbox_id: 23,
          chatwoot_inbox_name: 'WhatsApp - Suporte',
          sign_messages: true,
          ignore_groups: true,
          start_as_pending: true,
          reopen_resolved: true,
          created_at: before.created_at,
        });
        expect(await storedToken(t, instanceId)).toBe(second.chatwootApiToken);
      });

      it('leaves the stored row unchanged when a set fails', async () => {
        const before = await storedRows(t, 'suporte');
        bridge.fail('activate', { kind: 'http', status: 401, body: { error: { message: 'chatwoot error', chatwoot_status: 401, detail: 'Invalid Access Token' } } });
        const res = await account.post('/api/chatwoot/set/suporte', settings({ chatwootAccountId: 99, inboxName: 'changed' }));
        expect(res.status).toBe(401);
        expect(bridge.requests.at(-1)!.body.integration_id).toBe(integrationId);
        expect(await storedRows(t, 'suporte')).toEqual(before);
      });

      it('accepts a TokenInstance on its own instance', async () => {
        const instanceToken = await newInstance('own-token');
        const res = await api(t.url, instanceToken).post('/api/chatwoot/set/own-token', settings());
        expect(res.status).toBe(201);
        expect(res.body.instance).toBe('own-token');
      });
    });

    describe('bridge failures (SPEC section 4 error table)', () => {
      const URL = 'https://cw.example.org/app';
      const body = () => settings({ chatwootBaseUrl: URL, chatwootAccountId: 42 });
      const chatwootFailure = (bridgeStatus: number, chatwootStatus: number, detail: string): Failure => ({
        kind: 'http',
        status: bridgeStatus,
        body: { error: { message: 'chatwoot request failed', chatwoot_status: chatwootStatus, detail } },
      });
      beforeAll(() => newInstance('failing'));

      it.each<[string, Failure, number, string]>([
        ['Chatwoot 401', chatwootFailure(401, 401, 'Invalid Access Token'), 401,
          'Chatwoot rejected the API token — verify chatwootApiToken. Detail: Invalid Access Token'],
        ['Chatwoot 403', chatwootFailure(502, 403, 'You are not authorized to do this action'), 403,
          'Chatwoot denied the request — verify the API token has admin scope on account 42. Detail: You are not authorized to do this action'],
        ['Chatwoot 404', chatwootFailure(502, 404, 'Resource could not be found'), 400,
          `Chatwoot account or endpoint not found — verify chatwootBaseUrl (${URL}) and chatwootAccountId (42). Detail: Resource could not be found`],
        ['Chatwoot 422', chatwootFailure(422, 422, 'Name has already been taken'), 400,
          'Chatwoot rejected the request as invalid — verify inboxName and the integration settings. Detail: Name has already been taken'],
        ['Chatwoot unreachable', chatwootFailure(502, 0, 'connect ECONNREFUSED 10.1.2.3:443'), 502,
          `Chatwoot is unreachable at ${URL} — verify chatwootBaseUrl. Detail: connect ECONNREFUSED 10.1.2.3:443`],
        ['another Chatwoot status', chatwootFailure(502, 500, 'Internal Server Error'), 502,
          'integration gateway error (HTTP 502). Detail: Internal Server Error'],
        ['a bridge 403 without chatwoot_status', { kind: 'http', status: 403, body: { error: { message: 'forbidden' } } }, 502,
          'integration gateway rejected the service token — verify BRIDGE_TOKEN'],
        ['a bridge 401 without chatwoot_status', { kind: 'http', status: 401, body: { error: { message: 'who are you' } } }, 502,
          'integration gateway rejected the service token — verify BRIDGE_TOKEN'],
        ['a bridge 500 with detail', { kind: 'http', status: 500, body: { error: { message: 'internal error', detail: 'database is locked' } } }, 502,
          'integration gateway error (HTTP 500). Detail: database is locked'],
        ['a bridge 500 with only a message', { kind: 'http', status: 500, body: { error: { message: 'internal error' } } }, 502,
          'integration gateway error (HTTP 500). Detail: internal error'],
        ['a bridge 503 with a text body', { kind: 'http', status: 503, body: 'bridge is restarting' }, 502,
          'integration gateway error (HTTP 503). Detail: bridge is restarting'],
        ['a destroyed connection', { kind: 'destroy' }, 502, 'integration gateway unavailable. Detail: ECONNRESET'],
        ['a success without integration_id', { kind: 'http', status: 200, body: { status: 'active' } }, 502,
          'integration gateway error (HTTP 200). Detail: the bridge answered without a usable integration_id'],
      ])('maps %s', async (_case, failure, status, message) => {
        bridge.fail('activate', failure);
        const res = await account.post('/api/chatwoot/set/failing', body());
        expect([res.status, res.body]).toEqual([status, error(message)]);
        expect(bridge.failures.activate).toEqual([]);
      });

      it('maps a wrong BRIDGE_TOKEN (the bridge really rejects it)', async () => {
        const configured = bridge.token;
        bridge.token = 'rotated-bridge-token';
        const res = await account.post('/api/chatwoot/set/failing', body()).finally(() => (bridge.token = configured));
        expect([res.status, res.body]).toEqual([502, error('integration gateway rejected the service token — verify BRIDGE_TOKEN')]);
      });

      it('maps a refused connection (nothing listens on BRIDGE_URL)', async () => {
        await bridge.stop();
        const res = await account.post('/api/chatwoot/set/failing', body()).finally(() => bridge.start());
        expect([res.status, res.body]).toEqual([502, error('integration gateway unavailable. Detail: ECONNREFUSED')]);
      });

      it('scrubs the submitted API token and BRIDGE_TOKEN from the detail, in the answer and in the logs', async () => {
        const submitted = body();
        bridge.fail('activate', chatwootFailure(401, 401, `token ${submitted.chatwootApiToken} is not valid`));
        const res = await account.post('/api/chatwoot/set/failing', submitted);
        expect([res.status, res.body]).toEqual([401, error('Chatwoot rejected the API token — verify chatwootApiToken. Detail: token [REDACTED] is not valid')]);

        bridge.fail('activate', { kind: 'http', status: 500, body: { error: { message: 'x', detail: `bad header Bearer ${bridge.token} for ${submitted.chatwootApiToken}` } } });
        const again = await account.post('/api/chatwoot/set/failing', submitted);
        expect([again.status, again.body]).toEqual([502, error('integration gateway error (HTTP 500). Detail: bad header Bearer [REDACTED] for [REDACTED]')]);

        expect(capturedLogs.some((line) => line.includes('token [REDACTED] is not valid'))).toBe(true);
        expect(capturedLogs.filter((line) => line.includes(submitted.chatwootApiToken) || line.includes(bridge.token))).toEqual([]);
      });

      it('stored nothing for any failed activation', async () => {
        expect(await storedRows(t, 'failing')).toEqual([]);
      });
    });
  });

  describe('with a short activation timeout and no BRIDGE_INTERNAL_RYZEAPI_URL', () => {
    let t: TestApp;
    let account: ReturnType<typeof api>;
    beforeAll(async () => {
      t = await startApp({
        BRIDGE_URL: bridge.url,
        BRIDGE_TOKEN: bridge.token,
        BASE_URL: 'https://api.example.com/',
        BRIDGE_ACTIVATE_TIMEOUT_MS: '300',
        ENCRYPTION_KEYS: TEST_KEY,
      });
      account = api(t.url, await t.newAccount());
      expect((await account.post('/api/instance/new', { name: 'slow' })).status).toBe(201);
    });
    afterAll(() => t.close());

    it('gives the bridge BASE_URL as ryzeapi.base_url and its wss URL', async () => {
      const res = await account.post('/api/chatwoot/set/slow', settings());
      expect(res.status).toBe(201);
      expect(bridge.requests.at(-1)!.body.ryzeapi).toEqual({ base_url: 'https://api.example.com', ws_url: 'wss://api.example.com/ws/chatwoot/slow' });
    });

    it('answers 504 when the bridge does not answer in time, and keeps the stored row', async () => {
      const before = await storedRows(t, 'slow');
      bridge.fail('activate', { kind: 'hang' });
      const res = await account.post('/api/chatwoot/set/slow', settings({ inboxName: 'never stored' }));
      expect([res.status, res.body]).toEqual([504, error('integration gateway timed out')]);
      expect(await storedRows(t, 'slow')).toEqual(before);
    });
  });
});
