import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { FakeBridge } from '../support/fake-bridge.js';
import { api, request } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { capturedLogs, startApp, TEST_KEY, type TestApp } from '../support/test-app.js';

const error = (message: string) => ({ success: false, error: { message } });
const CW_TOKEN = 'cw-hardening-secret-token';
const settings = (overrides: Record<string, unknown> = {}) => ({
  chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: CW_TOKEN, ...overrides,
});

/** Inputs that once reached the database or the stack, and the edges around the contract's order. */
describe('hardening against odd input', () => {
  const bridge = new FakeBridge();
  let t: TestApp;
  let account: ReturnType<typeof api>;

  beforeAll(async () => {
    registerSecret(CW_TOKEN);
    await bridge.start();
    t = await startApp({ BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, ENCRYPTION_KEYS: TEST_KEY, RATE_LIMIT_INSTANCE_NEW_PER_MINUTE: '3', BRIDGE_STATUS_TIMEOUT_MS: '300' });
    account = api(t.url, await t.newAccount());
    expect((await account.post('/api/instance/new', { name: 'hard' })).status).toBe(201);
    expect((await account.get('/api/instance/connect/hard')).status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    await bridge.stop();
  });

  it.each(['%00', 'a'.repeat(65), 'with%20space'])('answers 404 for the instance path %s, without asking the database', async (name) => {
    const res = await account.get(`/api/instance/connect/${name}`);
    expect(res.status).toBe(404);
  });

  it.each([
    ['/api/sandbox/receive/hard', { from: '5511999999999', media: { type: 'image', url: 'https://x.test/a.png', caption: 'half \ud800' } }, 'invalid body: media.caption contains a NUL character or an unpaired surrogate'],
    ['/api/message/text/hard', { number: '12345-@g.us', message: 'hi' }, 'invalid body: number must be a phone number (5 to 20 digits) or a WhatsApp JID'],
    ['/api/message/text/hard', { number: '5511999999999', message: 'hi', replyTo: JSON.parse('['.repeat(50) + ']'.repeat(50)) }, `invalid body: replyTo${'.0'.repeat(15)} is nested too deeply`],
  ])('refuses what the database could not store, on %s: 400', async (path, body, message) => {
    const res = await account.post(path, body);
    expect(res.body).toEqual(error(message));
    expect(res.status).toBe(400);
  });

  it('refuses a chatwootAccountId beyond a PostgreSQL integer before asking the bridge', async () => {
    const before = bridge.requests.length;
    const res = await account.post('/api/chatwoot/set/hard', settings({ chatwootAccountId: 2_147_483_648 }));
    expect(res.body).toEqual(error('invalid body: chatwootAccountId must be at most 2147483647'));
    expect(bridge.requests.length).toBe(before);
  });

  it('checks the instance before the body, even a malformed or missing one', async () => {
    expect((await account.post('/api/chatwoot/set/nosuch', undefined, { raw: '{not json' })).body).toEqual(error('instance not found'));
    expect((await account.post('/api/chatwoot/set/nosuch')).body).toEqual(error('instance not found'));
    expect((await account.post('/api/chatwoot/set/nosuch', [])).body).toEqual(error('instance not found'));
    expect((await account.post('/api/chatwoot/set/hard', undefined, { raw: '{not json' })).body).toEqual(error('invalid body: malformed JSON'));
    expect((await request(t.url, 'POST', '/api/chatwoot/set/hard', undefined, { raw: '{not json' })).body).toEqual(error('Missing token'));
  });

  it('stores an inbox id the bridge reports beyond a PostgreSQL integer as unknown (0)', async () => {
    bridge.inboxId = 2 ** 40;
    expect((await account.post('/api/chatwoot/set/hard', settings())).status).toBe(201);
    bridge.inboxId = 17;
    bridge.fail('status', { kind: 'hang' });
    const listed = await account.get('/api/chatwoot/list/hard');
    expect(listed.body.chatwoot_inbox_id).toBe(0);
  });

  it('never passes the BRIDGE_TOKEN on from a bridge last_error', async () => {
    const id = [...bridge.integrations.keys()][0];
    bridge.integrations.get(id)!.last_error = `upstream said: bad header Bearer ${bridge.token}`;
    const listed = await account.get('/api/chatwoot/list/hard');
    expect(listed.body.last_error).toBe('upstream said: bad header Bearer [REDACTED]');
    expect(capturedLogs.join('\n')).not.toContain(bridge.token);
  });

  it('counts POST /api/instance/new in its own bucket whatever the case of the path', async () => {
    const other = api(t.url, await t.newAccount());
    for (let i = 0; i < 3; i++) expect((await other.post('/API/Instance/New', { name: `case-${i}` })).status).toBe(201);
    const limited = await other.post('/api/instance/NEW', { name: 'case-x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
  });

  it('accepts the bridge channel URL with a query string', async () => {
    const ws = new WebSocket(`${t.wsUrl}/ws/chatwoot/hard?client=bridge`, { headers: { authorization: `Bearer ${bridge.token}` } });
    const hello = await new Promise<any>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data))));
      ws.once('error', reject);
    });
    expect(hello.type).toBe('hello');
    ws.close();
  });
});

describe('unknown tokens, counted per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ RATE_LIMIT_INVALID_TOKENS_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 once an address has tried too many unknown tokens, whatever the next token is', async () => {
    const valid = await t.newAccount();
    for (let i = 0; i < 3; i++) {
      expect((await api(t.url, `guess-${i}-${Math.random()}`).get('/api/instance/list')).body).toEqual(error('Invalid token'));
    }
    const next = await api(t.url, `guess-x-${Math.random()}`).get('/api/instance/list');
    expect(next.status).toBe(429);
    expect(next.body).toEqual(error('Rate limit exceeded. Try again later.'));
    // The address is held for the rest of the window, valid token or not: guessing must not pay.
    expect((await api(t.url, valid).get('/api/instance/list')).status).toBe(429);
    expect((await api(t.url).get('/health')).status).toBe(200);
  });
});
