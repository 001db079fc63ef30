import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ChatwootIntegration } from '../../src/ryzeapi/chatwoot/chatwoot-integration.entity.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { capturedLogs, startApp, TEST_KEY, type TestApp } from '../support/test-app.js';

let tokens = 0;

/** A valid set body with a fresh Chatwoot API token (registered with the leak guard). */
function settings(overrides: Record<string, unknown> = {}) {
  const chatwootApiToken = `cw-list-token-${++tokens}-${Math.random().toString(36).slice(2)}`;
  registerSecret(chatwootApiToken);
  return { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken, ...overrides };
}

const error = (message: string) => ({ success: false, error: { message } });
const CHATWOOT_401 = { kind: 'http' as const, status: 401, body: { error: { message: 'chatwoot error', chatwoot_status: 401, detail: 'Invalid Access Token' } } };
const REJECTED = 'Chatwoot rejected the API token — verify chatwootApiToken. Detail: Invalid Access Token';

describe('Chatwoot integration: list, delete, inline activation', () => {
  const bridge = new FakeBridge();
  let t: TestApp;
  let account: ReturnType<typeof api>;

  /** The stored rows of an instance, read with raw SQL. */
  const storedRows = (instance: string): Promise<Record<string, any>[]> =>
    t.app.get(DataSource).query(
      `SELECT c.* FROM chatwoot_integrations c JOIN instances i ON i.id = c.instance_id WHERE i.name = $1`,
      [instance],
    );
  const sql = (query: string, params: unknown[] = []) => t.app.get(DataSource).query(query, params);
  const instanceNames = async () => (await account.get('/api/instance/list')).body.data.map((i: { name: string }) => i.name);

  /** Creates an instance (returning its TokenInstance) and, unless told otherwise, activates it. */
  async function instance(name: string, body: Record<string, unknown> | null = settings()): Promise<string> {
    const created = await account.post('/api/instance/new', { name });
    expect(created.status).toBe(201);
    if (body) expect((await account.post(`/api/chatwoot/set/${name}`, body)).status).toBe(201);
    return created.body.instance.token;
  }
  const integrationIdOf = async (name: string): Promise<string> => (await storedRows(name))[0].bridge_integration_id;

  beforeAll(async () => {
    await bridge.start();
    t = await startApp({
      BRIDGE_URL: bridge.url,
      BRIDGE_TOKEN: bridge.token,
      // Small, for the hanging-bridge case; a local fake answers far sooner.
      BRIDGE_STATUS_TIMEOUT_MS: '1000',
      ENCRYPTION_KEYS: TEST_KEY,
    });
    account = api(t.url, await t.newAccount());
  });
  afterAll(async () => {
    await t.close();
    await bridge.stop();
  });

  describe('GET /api/chatwoot/list/:instance', () => {
    let body: ReturnType<typeof settings>;
    beforeAll(async () => {
      body = settings({ inboxName: 'WhatsApp - Suporte', ignoreGroups: true });
      await instance('suporte', body);
    });

    it('answers the stored integration, every field, never the API token', async () => {
      const id = await integrationIdOf('suporte');
      const [{ created_at }] = await storedRows('suporte');
      const before = bridge.requests.length;
      const res = await account.get('/api/chatwoot/list/suporte');

      expect(res.status).toBe(200);
      expect(res.body).toStrictEqual({
        instance_name: 'suporte',
        status: 'active',
        bridge_integration_id: id,
        chatwoot_base_url: 'https://chatwoot.example.com',
        chatwoot_account_id: 5,
        chatwoot_inbox_id: 17,
        chatwoot_inbox_name: 'WhatsApp - Suporte',
        last_error: '',
        created_at: new Date(created_at).toISOString(),
        sign_messages: false,
        ignore_groups: true,
        start_as_pending: false,
        reopen_resolved: false,
        bridge_connected: false,
        pending_events: 0,
        dropped_events: 0,
      });
      expect(res.text).not.toContain(body.chatwootApiToken);
      const asked = bridge.requests.slice(before);
      expect(asked.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual([`GET /v1/integrations/${id} Bearer ${bridge.token}`]);
    });

    it("shows the bridge's live status and last_error instead of the stored ones", async () => {
      const live = bridge.integrations.get(await integrationIdOf('suporte'))!;
      Object.assign(live, { status: 'error', last_error: 'Chatwoot inbox 17 was deleted' });
      const res = await account.get('/api/chatwoot/list/suporte');
      Object.assign(live, { status: 'active', last_error: '' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'error', last_error: 'Chatwoot inbox 17 was deleted', chatwoot_inbox_id: 17 });
    });

    it.each([
      ['answers 500', { kind: 'http' as const, status: 500, body: { error: { message: 'boom' } } }],
      ['answers 404', { kind: 'http' as const, status: 404, body: { error: { message: 'integration not found' } } }],
      ['drops the connection', { kind: 'destroy' as const }],
      ['does not answer in time', { kind: 'hang' as const }],
    ])('answers 200 with the stored values when the bridge %s', async (_case, failure) => {
      await sql(`UPDATE chatwoot_integrations SET status = 'paused', last_error = 'stored problem' WHERE bridge_integration_id = $1`, [await integrationIdOf('suporte')]);
      bridge.fail('status', failure);
      const res = await account.get('/api/chatwoot/list/suporte');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ instance_name: 'suporte', status: 'paused', last_error: 'stored problem', chatwoot_inbox_id: 17 });
      expect(bridge.failures.status).toEqual([]);
    });

    it('fills a stored inbox id of 0 once the bridge knows it, and keeps a known one', async () => {
      bridge.inboxId = 0;
      await instance('backfill').finally(() => (bridge.inboxId = 17));
      const id = await integrationIdOf('backfill');
      expect((await account.get('/api/chatwoot/list/backfill')).body.chatwoot_inbox_id).toBe(0);

      bridge.integrations.get(id)!.inbox_id = 17;
      expect((await account.get('/api/chatwoot/list/backfill')).body.chatwoot_inbox_id).toBe(17);
      expect((await storedRows('backfill'))[0].chatwoot_inbox_id).toBe(17);

      bridge.fail('status', { kind: 'http', status: 500 });
      expect((await account.get('/api/chatwoot/list/backfill')).body.chatwoot_inbox_id).toBe(17);
      bridge.integrations.get(id)!.inbox_id = 99;
      expect((await account.get('/api/chatwoot/list/backfill')).body.chatwoot_inbox_id).toBe(17);
    });

    it('counts the events not yet acknowledged by the bridge', async () => {
      const instanceToken = await instance('events');
      expect((await api(t.url, instanceToken).get('/api/instance/connect/events')).status).toBe(200);
      expect((await api(t.url, instanceToken).post('/api/sandbox/receive/events', { from: '5511999999999', name: 'Maria', text: 'Oi' })).status).toBe(201);
      const res = await api(t.url, instanceToken).get('/api/chatwoot/list/events');
      expect(res.body).toMatchObject({ bridge_connected: false, pending_events: 2, dropped_events: 0 });
    });

    it('answers 404 for an unknown instance and for an instance without integration', async () => {
      const unknown = await account.get('/api/chatwoot/list/nope');
      expect([unknown.status, unknown.body]).toEqual([404, error('instance not found')]);
      await instance('bare', null);
      const bare = await account.get('/api/chatwoot/list/bare');
      expect([bare.status, bare.body]).toEqual([404, error('no chatwoot integration for this instance')]);
    });

    it('takes a TokenInstance on its own instance only', async () => {
      const own = await instance('listed-own');
      expect((await api(t.url, own).get('/api/chatwoot/list/listed-own')).status).toBe(200);
      const other = await api(t.url, own).get('/api/chatwoot/list/suporte');
      expect([other.status, other.body]).toEqual([403, error('Instance token does not match this instance')]);
      const none = await api(t.url).get('/api/chatwoot/list/suporte');
      expect([none.status, none.body]).toEqual([401, error('Missing token')]);
    });
  });

  describe('DELETE /api/chatwoot/delete/:instance', () => {
    it('deletes on the bridge, then the row and its undelivered events', async () => {
      const instanceToken = await instance('gone');
      await api(t.url, instanceToken).get('/api/instance/connect/gone');
      const id = await integrationIdOf('gone');
      const [{ instance_id }] = await storedRows('gone');
      expect((await sql(`SELECT count(*)::int AS n FROM chatwoot_events WHERE instance_id = $1`, [instance_id]))[0].n).toBe(1);
      const before = bridge.requests.length;

      const res = await account.delete('/api/chatwoot/delete/gone');
      expect([res.status, res.body]).toEqual([200, { message: 'chatwoot integration deactivated' }]);
      expect(bridge.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual([
        `DELETE /v1/integrations/${id} Bearer ${bridge.token}`,
      ]);
      expect(bridge.integrations.has(id)).toBe(false);
      expect(await storedRows('gone')).toEqual([]);
      expect((await sql(`SELECT count(*)::int AS n FROM chatwoot_events WHERE instance_id = $1`, [instance_id]))[0].n).toBe(0);
      const list = await account.get('/api/chatwoot/list/gone');
      expect([list.status, list.body]).toEqual([404, error('no chatwoot integration for this instance')]);
    });

    it('answers 404 when there is nothing to delete, without calling the bridge', async () => {
      await instance('never', null);
      const before = bridge.requests.length;
      const res = await account.delete('/api/chatwoot/delete/never');
      expect([res.status, res.body]).toEqual([404, error('no chatwoot integration to delete')]);
      const again = await account.delete('/api/chatwoot/delete/gone');
      expect([again.status, again.body]).toEqual([404, error('no chatwoot integration to delete')]);
      expect(bridge.requests.length).toBe(before);
      const unknown = await account.delete('/api/chatwoot/delete/nope');
      expect([unknown.status, unknown.body]).toEqual([404, error('instance not found')]);
    });

    it('goes on when the bridge no longer knows the integration (404)', async () => {
      await instance('bridge-404');
      bridge.integrations.delete(await integrationIdOf('bridge-404'));
      const res = await account.delete('/api/chatwoot/delete/bridge-404');
      expect([res.status, res.body]).toEqual([200, { message: 'chatwoot integration deactivated' }]);
      expect(await storedRows('bridge-404')).toEqual([]);
    });

    it('goes on, with a warning in the log, when the bridge fails (500)', async () => {
      await instance('bridge-500');
      bridge.fail('delete', { kind: 'http', status: 500, body: { error: { message: 'boom' } } });
      const logged = capturedLogs.length;
      const res = await account.delete('/api/chatwoot/delete/bridge-500');
      expect([res.status, res.body]).toEqual([200, { message: 'chatwoot integration deactivated' }]);
      expect(await storedRows('bridge-500')).toEqual([]);
      const warnings = capturedLogs.slice(logged).map((line) => JSON.parse(line)).filter((entry) => entry.level === 40);
      expect(warnings.map((w) => [w.msg, w.instance, w.reason])).toContainEqual(['bridge delete failed; deleting locally anyway', 'bridge-500', 'HTTP 500']);
    });

    it('goes on when the bridge is down (connection refused)', async () => {
      await instance('bridge-down');
      await bridge.stop();
      const res = await account.delete('/api/chatwoot/delete/bridge-down').finally(() => bridge.start());
      expect([res.status, res.body]).toEqual([200, { message: 'chatwoot integration deactivated' }]);
      expect(await storedRows('bridge-down')).toEqual([]);
    });

    it('takes a TokenInstance on its own instance, 403 on another', async () => {
      const own = await instance('deleted-own');
      await instance('kept-other');
      const other = await api(t.url, own).delete('/api/chatwoot/delete/kept-other');
      expect([other.status, other.body]).toEqual([403, error('Instance token does not match this instance')]);
      expect(await storedRows('kept-other')).toHaveLength(1);
      const res = await api(t.url, own).delete('/api/chatwoot/delete/deleted-own');
      expect([res.status, res.body]).toEqual([200, { message: 'chatwoot integration deactivated' }]);
      expect(await storedRows('deleted-own')).toEqual([]);
    });

    it('lets a later set start a new integration', async () => {
      const res = await account.post('/api/chatwoot/set/gone', settings());
      expect(res.status).toBe(201);
      expect(bridge.requestsTo('activate').at(-1)!.body.integration_id).toBeNull();
    });
  });

  describe('POST /api/instance/new with inline activation', () => {
    const inline = (overrides: Record<string, unknown> = {}) => {
      const { chatwootBaseUrl, chatwootAccountId, chatwootApiToken } = settings();
      return { chatwootEnabled: true, chatwootBaseUrl, chatwootAccountId, chatwootApiToken, ...overrides };
    };

    it('activates the integration and reports it', async () => {
      const body = inline({
        chatwootBaseUrl: 'https://chatwoot.example.com/',
        chatwootInboxName: 'Vendas',
        chatwootSignMessages: true,
        chatwootIgnoreGroups: false,
        chatwootStartAsPending: true,
        chatwootReopenResolved: true,
      });
      const res = await account.post('/api/instance/new', { name: 'vendas', ...body });
      expect(res.status).toBe(201);
      const id = await integrationIdOf('vendas');
      expect(res.body).toStrictEqual({
        success: true,
        message: 'Instance created',
        instance: { name: 'vendas', token: expect.any(String), status: 'disconnected' },
        chatwoot: { status: 'active', bridge_integration_id: id },
      });
      const sent = bridge.requestsTo('activate').at(-1)!.body;
      expect([sent.instance, sent.integration_id, sent.chatwoot, sent.options]).toEqual([
        'vendas',
        null,
        { base_url: 'https://chatwoot.example.com', account_id: body.chatwootAccountId, api_token: body.chatwootApiToken, inbox_name: 'Vendas' },
        { sign_messages: true, ignore_groups: false, start_as_pending: true, reopen_resolved: true },
      ]);
      expect((await storedRows('vendas'))[0]).toMatchObject({ chatwoot_inbox_name: 'Vendas', sign_messages: true, start_as_pending: true });
    });

    it('has no chatwoot block, and calls no bridge, unless chatwootEnabled is true', async () => {
      const before = bridge.requests.length;
      const plain = await account.post('/api/instance/new', { name: 'plain' });
      const off = await account.post('/api/instance/new', { name: 'off', ...inline({ chatwootEnabled: false }) });
      for (const res of [plain, off]) {
        expect(res.status).toBe(201);
        expect(Object.keys(res.body)).toEqual(['success', 'message', 'instance']);
      }
      expect(bridge.requests.length).toBe(before);
    });

    it('still creates the instance when Chatwoot rejects the token, with the message set would give', async () => {
      bridge.fail('activate', CHATWOOT_401);
      const res = await account.post('/api/instance/new', { name: 'badcreds', ...inline() });
      expect(res.status).toBe(201);
      expect(res.body.chatwoot).toStrictEqual({ status: 'error', error: REJECTED });
      expect(await instanceNames()).toContain('badcreds');
      expect(await storedRows('badcreds')).toEqual([]);

      bridge.fail('activate', CHATWOOT_401);
      const viaSet = await account.post('/api/chatwoot/set/badcreds', settings());
      expect([viaSet.status, viaSet.body]).toEqual([401, error(res.body.chatwoot.error)]);
      expect((await account.post('/api/chatwoot/set/badcreds', settings())).status).toBe(201);
    });

    it('still creates the instance when the bridge is down', async () => {
      await bridge.stop();
      const res = await account.post('/api/instance/new', { name: 'bridge-off', ...inline() }).finally(() => bridge.start());
      expect(res.status).toBe(201);
      expect(res.body.chatwoot).toStrictEqual({ status: 'error', error: 'integration gateway unavailable. Detail: ECONNREFUSED' });
      expect(await instanceNames()).toContain('bridge-off');
    });

    let invalidCases = 0;
    it.each<[string, Record<string, unknown>, string]>([
      ['no API token', { chatwootApiToken: undefined }, 'chatwootApiToken is required'],
      ['an empty API token', { chatwootApiToken: '' }, 'chatwootApiToken should not be empty'],
      ['no base URL', { chatwootBaseUrl: undefined }, 'chatwootBaseUrl is required'],
      ['no Chatwoot field at all', { chatwootBaseUrl: undefined, chatwootAccountId: undefined, chatwootApiToken: undefined },
        'chatwootBaseUrl is required; chatwootAccountId is required; chatwootApiToken is required'],
      ['a non-http URL', { chatwootBaseUrl: 'ws://chatwoot.example.com' }, 'chatwootBaseUrl must be an absolute http(s) URL'],
      ['accountId 0', { chatwootAccountId: 0 }, 'chatwootAccountId must be greater than 0'],
      ['a string accountId', { chatwootAccountId: '5' }, 'chatwootAccountId must be an integer'],
      ['an empty inbox name', { chatwootInboxName: '' }, 'chatwootInboxName should not be empty'],
      ['a string option', { chatwootIgnoreGroups: 'yes' }, 'chatwootIgnoreGroups must be a boolean value'],
      ['a NUL in the inbox name', { chatwootInboxName: 'a\u0000b' }, 'chatwootInboxName contains a NUL character or an unpaired surrogate'],
    ])('with %s: creates the instance, calls no bridge, and reports set\'s 400 text in chatwoot.error', async (_case, overrides, problem) => {
      const before = bridge.requests.length;
      const name = `invalid-${++invalidCases}`;
      const res = await account.post('/api/instance/new', { name, ...inline(overrides) });
      expect([res.status, res.body.success, res.body.chatwoot]).toEqual([201, true, { status: 'error', error: `invalid body: ${problem}` }]);
      expect(await instanceNames()).toContain(name);
      expect(await storedRows(name)).toEqual([]);
      expect(bridge.requests.length).toBe(before);
    });

    it('ignores the Chatwoot fields, however invalid, when chatwootEnabled is false or absent', async () => {
      const junk = { chatwootBaseUrl: 'not a url', chatwootAccountId: -1, chatwootApiToken: '', chatwootInboxName: 7, chatwootSignMessages: 'no' };
      const before = bridge.requests.length;
      for (const [name, enabled] of [['ignored-off', { chatwootEnabled: false }], ['ignored-absent', {}]] as const) {
        const res = await account.post('/api/instance/new', { name, ...enabled, ...junk });
        expect([res.status, Object.keys(res.body)]).toEqual([201, ['success', 'message', 'instance']]);
      }
      expect(bridge.requests.length).toBe(before);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['set-style inboxName', { inboxName: 'x' }, 'property inboxName should not exist'],
      ['an unknown chatwoot-like property', { chatwootInbox: 'x' }, 'property chatwootInbox should not exist'],
      ['an unknown property with chatwootEnabled false', { chatwootEnabled: false, foo: 1 }, 'property foo should not exist'],
      ['a string chatwootEnabled', { chatwootEnabled: 'true' }, 'chatwootEnabled must be a boolean value'],
    ])('answers 400 to %s and creates no instance', async (_case, overrides, problem) => {
      const before = bridge.requests.length;
      const res = await account.post('/api/instance/new', { name: 'invalid', ...inline(overrides) });
      expect([res.status, res.body]).toEqual([400, error(`invalid body: ${problem}`)]);
      expect(await instanceNames()).not.toContain('invalid');
      expect(bridge.requests.length).toBe(before);
    });
  });

  describe('DELETE /api/instance/delete/:instance', () => {
    it('removes the integration with the instance', async () => {
      await instance('doomed');
      const id = await integrationIdOf('doomed');
      const res = await account.delete('/api/instance/delete/doomed');
      expect(res.status).toBe(200);
      expect(bridge.requestsTo('delete').at(-1)!.path).toBe(`/v1/integrations/${id}`);
      expect(bridge.integrations.has(id)).toBe(false);
      expect(await sql(`SELECT * FROM chatwoot_integrations WHERE bridge_integration_id = $1`, [id])).toEqual([]);
      expect(await instanceNames()).not.toContain('doomed');
    });

    it('deletes the instance and the row even when the bridge fails', async () => {
      await instance('doomed-500');
      const id = await integrationIdOf('doomed-500');
      bridge.fail('delete', { kind: 'http', status: 500 });
      expect((await account.delete('/api/instance/delete/doomed-500')).status).toBe(200);
      expect(await sql(`SELECT * FROM chatwoot_integrations WHERE bridge_integration_id = $1`, [id])).toEqual([]);
      expect(await instanceNames()).not.toContain('doomed-500');
    });
  });

  describe('concurrency', () => {
    it('two racing sets on one instance leave one row, matching the last bridge answer', async () => {
      await instance('race', null);
      const [a, b] = [settings({ inboxName: 'inbox A' }), settings({ inboxName: 'inbox B' })];
      const before = bridge.requestsTo('activate').length;
      bridge.pause('activate');
      const racing = [account.post('/api/chatwoot/set/race', a), account.post('/api/chatwoot/set/race', b)];
      await bridge.waitForRequests('activate', before + 1);
      // Leave the other set time to reach the bridge too, as it would if nothing serialised them.
      await new Promise((resolve) => setTimeout(resolve, 200));
      bridge.resume('activate');
      const responses = await Promise.all(racing);

      expect(responses.map((r) => r.status)).toEqual([201, 201]);
      const sent = bridge.requestsTo('activate').slice(before).map((r) => r.body);
      expect(sent).toHaveLength(2);
      const id = responses[0].body.bridge_integration_id;
      expect(responses[1].body.bridge_integration_id).toBe(id);
      expect(sent.map((s) => s.integration_id)).toEqual([null, id]);

      const rows = await storedRows('race');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ bridge_integration_id: id, chatwoot_inbox_name: sent[1].chatwoot.inbox_name });
      const stored = await t.app.get(DataSource).getRepository(ChatwootIntegration).findOne({
        where: { instanceId: rows[0].instance_id },
        select: { instanceId: true, chatwootApiToken: true },
      });
      expect(stored?.chatwootApiToken).toBe(sent[1].chatwoot.api_token);
    });

    it('two racing deletes: one 200, one 404, one bridge call', async () => {
      await instance('race-delete');
      const before = bridge.requestsTo('delete').length;
      const responses = await Promise.all([account.delete('/api/chatwoot/delete/race-delete'), account.delete('/api/chatwoot/delete/race-delete')]);
      expect(responses.map((r) => [r.status, r.body]).sort()).toEqual([
        [200, { message: 'chatwoot integration deactivated' }],
        [404, error('no chatwoot integration to delete')],
      ]);
      expect(bridge.requestsTo('delete').length).toBe(before + 1);
      expect(await storedRows('race-delete')).toEqual([]);
    });
  });
});
