import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { RawBridge, waitFor } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api, request } from '../support/http.js';
import { findLeaks, registerSecret } from '../support/leak-guard.js';
import { capturedLogs, startApp, TEST_KEY, type TestApp } from '../support/test-app.js';

const error = (message: string) => ({ success: false, error: { message } });
const CW_TOKEN = 'cw-Scrub-secret-Token-0123456789';
const base64 = (text: string) => Buffer.from(text).toString('base64');
/** Every byte as %xx, as a client may send it. */
const percentEncoded = (text: string) => [...Buffer.from(text)].map((b) => `%${b.toString(16)}`).join('');

/** Issue 12, points 1 to 3: secrets in encoded query keys, and in every text that comes from the bridge. */
describe('secrets in encoded forms and in bridge texts', () => {
  const bridge = new FakeBridge('bridge-Scrub-secret-token-0123');
  let t: TestApp;
  let accountToken: string;
  let account: ReturnType<typeof api>;

  /** Leaks of these secrets, in any encoding, in the given texts. */
  const leaksIn = (texts: string[], secrets: string[]) => findLeaks(secrets, { text: texts });
  const storedLastError = async (): Promise<string> =>
    (await t.app.get(DataSource).query(`SELECT c.last_error FROM chatwoot_integrations c JOIN instances i ON i.id = c.instance_id WHERE i.name = 'scrub'`))[0].last_error;
  const integration = () => bridge.integrations.get([...bridge.integrations.keys()][0])!;

  beforeAll(async () => {
    registerSecret(CW_TOKEN);
    await bridge.start();
    t = await startApp({ BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, ENCRYPTION_KEYS: TEST_KEY, BRIDGE_STATUS_TIMEOUT_MS: '300' });
    accountToken = await t.newAccount();
    account = api(t.url, accountToken);
    expect((await account.post('/api/instance/new', { name: 'scrub' })).status).toBe(201);
    const set = await account.post('/api/chatwoot/set/scrub', { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: CW_TOKEN });
    expect(set.status).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    await bridge.stop();
  });

  describe('point 1: a token in the query string, whatever the encoding of its key', () => {
    let probe = 0;

    it.each([
      ['%74oken=<token> (percent-encoded key)', 200, (tok: string) => `%74oken=${tok}`],
      ['to%6Ben=<token>', 200, (tok: string) => `to%6Ben=${tok}`],
      ['token=<token, every byte percent-encoded>', 200, (tok: string) => `token=${percentEncoded(tok)}`],
      ['token[]=<token>', 401, (tok: string) => `token[]=${tok}`],
      ['token%5B%5D=<token>', 401, (tok: string) => `token%5B%5D=${tok}`],
      ['TOKEN=<token> (key in upper case)', 401, (tok: string) => `TOKEN=${tok}`],
      ['%2574oken=<token> (key encoded twice)', 401, (tok: string) => `%2574oken=${tok}`],
      ['token%3D<token> (the token inside the key)', 401, (tok: string) => `token%3D${tok}`],
      ['next=/x?token=<token> (a nested query)', 401, (tok: string) => `next=${encodeURIComponent(`/x?token=${tok}`)}`],
    ])('redacts ?%s in the request log line (answer %i)', async (_form, status, query) => {
      const marker = `probe=${++probe}`;
      const res = await request(t.url, 'GET', `/api/instance/list?${marker}&${query(accountToken)}`);
      expect(res.status).toBe(status);
      const line = capturedLogs.find((l) => l.includes(`?${marker}&`));
      expect(line).toContain('[Redacted]');
      expect(leaksIn([line!, res.text], [accountToken])).toEqual([]);
    });

    it('answers an unknown route with its path only, never its query string: 404 Cannot GET /nope', async () => {
      const encoded = await request(t.url, 'GET', `/nope?%74oken=${accountToken}`);
      expect([encoded.status, encoded.body]).toEqual([404, error('Cannot GET /nope')]);
      const plain = await request(t.url, 'POST', '/api/nope/deeper?a=1&b=2');
      expect([plain.status, plain.body]).toEqual([404, error('Cannot POST /api/nope/deeper')]);
      expect(leaksIn(capturedLogs, [accountToken])).toEqual([]);
    });
  });

  describe('point 2: texts from the bridge are scrubbed before they are returned, logged or stored', () => {
    it('list answers and stores the bridge\'s last_error without the Chatwoot API token', async () => {
      integration().last_error = `Chatwoot returned 401 Unauthorized for api_access_token ${CW_TOKEN}`;
      const listed = await account.get('/api/chatwoot/list/scrub');
      expect(listed.status).toBe(200);
      expect(listed.body.last_error).toBe('Chatwoot returned 401 Unauthorized for api_access_token [REDACTED]');
      expect(await storedLastError()).toBe('Chatwoot returned 401 Unauthorized for api_access_token [REDACTED]');

      bridge.fail('status', { kind: 'hang' });
      const fromStore = await account.get('/api/chatwoot/list/scrub');
      expect(fromStore.body.last_error).toBe('Chatwoot returned 401 Unauthorized for api_access_token [REDACTED]');
      expect(leaksIn(capturedLogs, [CW_TOKEN, bridge.token])).toEqual([]);
    });

    it('scrubs the last_error before cutting it at 2000 characters, so no part of a token survives the cut', async () => {
      integration().last_error = `${'x'.repeat(1995)}${CW_TOKEN}`;
      const listed = await account.get('/api/chatwoot/list/scrub');
      expect(listed.body.last_error).toBe(`${'x'.repeat(1995)}[REDA`);
      expect(await storedLastError()).toBe(`${'x'.repeat(1995)}[REDA`);
    });

    it('a send command on the bridge channel is stored and sent on without either token', async () => {
      expect((await account.get('/api/instance/connect/scrub')).status).toBe(200);
      const raw = new RawBridge(`${t.wsUrl}/ws/chatwoot/scrub`, bridge.token);
      try {
        await raw.opened;
        const media = { type: 'document', url: `https://cdn.example.com/a.pdf?t=${CW_TOKEN}`, file_name: `${CW_TOKEN}.pdf`, caption: `Bearer ${bridge.token}` };
        raw.send({ type: 'send', id: 'scrub-1', to: '5511999999999', text: `token ${CW_TOKEN} / ${base64(bridge.token)}`, sender_name: CW_TOKEN.toUpperCase() });
        raw.send({ type: 'send', id: 'scrub-2', to: '5511999999999', media });
        expect((await raw.next('result 1', (f) => f.id === 'scrub-1')).ok).toBe(true);
        expect((await raw.next('result 2', (f) => f.id === 'scrub-2')).ok).toBe(true);
        const sent = (await account.get('/api/sandbox/sent/scrub')).body.data;
        expect(sent.map((m: { text: string | null; media: unknown }) => [m.text, m.media])).toEqual([
          ['token [REDACTED] / [REDACTED]', null],
          [null, { type: 'document', url: 'https://cdn.example.com/a.pdf?t=[REDACTED]', file_name: '[REDACTED].pdf', caption: 'Bearer [REDACTED]' }],
        ]);
        await waitFor('the two echoes', () => raw.events.filter((f) => f.event === 'message.exchange').length === 2);
        const stored: string[] = (await t.app.get(DataSource).query('SELECT data::text AS data FROM chatwoot_events')).map((r: { data: string }) => r.data);
        expect(leaksIn([JSON.stringify(raw.events), JSON.stringify(sent), ...stored], [CW_TOKEN, bridge.token])).toEqual([]);
      } finally {
        await raw.close();
      }
    });
  });

  describe('point 3: scrubbing covers letter case and the common encodings', () => {
    it('removes the token raw, base64-encoded and upper-cased from a bridge 422 detail (set)', async () => {
      const detail = `rejected ${CW_TOKEN} / ${base64(CW_TOKEN)} / ${CW_TOKEN.toUpperCase()}`;
      bridge.fail('activate', { kind: 'http', status: 422, body: { error: { message: 'chatwoot error', chatwoot_status: 422, detail } } });
      const res = await account.post('/api/chatwoot/set/scrub', { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: CW_TOKEN });
      expect([res.status, res.body]).toEqual([
        400,
        error('Chatwoot rejected the request as invalid — verify inboxName and the integration settings. Detail: rejected [REDACTED] / [REDACTED] / [REDACTED]'),
      ]);
      expect(leaksIn(capturedLogs, [CW_TOKEN])).toEqual([]);
    });

    it('removes both tokens base64url-, hex- and percent-encoded, and inside a longer base64 text, from list\'s last_error', async () => {
      const embedded = Buffer.from(`{"Authorization":"Bearer ${bridge.token}"}`).toString('base64');
      integration().last_error = `a ${Buffer.from(CW_TOKEN).toString('base64url')} b ${Buffer.from(CW_TOKEN).toString('hex')} c ${percentEncoded(bridge.token)} d ${embedded}`;
      const listed = await account.get('/api/chatwoot/list/scrub');
      expect(listed.body.last_error).toMatch(/^a \[REDACTED\] b \[REDACTED\] c \[REDACTED\] d \S*\[REDACTED\]\S*$/);
      expect(leaksIn([listed.body.last_error, await storedLastError()], [CW_TOKEN, bridge.token])).toEqual([]);
    });
  });
});
