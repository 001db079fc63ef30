import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api, request, type ApiResponse } from '../support/http.js';
import { startApp, type TestApp } from '../support/test-app.js';

const error = (message: string) => ({ success: false, error: { message } });

/** The three headers every response carries (SPEC section 2). */
function expectRateLimitHeaders(res: ApiResponse, limit: number): void {
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
  // Unix seconds (not milliseconds, not seconds from now): about the end of the current minute-long window.
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  const nowSeconds = Date.now() / 1000;
  expect(Number.isInteger(reset)).toBe(true);
  expect(reset).toBeGreaterThan(nowSeconds - 5);
  expect(reset).toBeLessThan(nowSeconds + 65);
}

describe('error envelope', () => {
  let t: TestApp;
  let token: string;
  const post = (path: string, raw: string, headers: Record<string, string> = {}) =>
    request(t.url, 'POST', path, undefined, { token, raw, headers });

  beforeAll(async () => {
    // Empty values select the service's defaults: 100/min, and 20/min for POST /api/instance/new.
    t = await startApp({ RATE_LIMIT_PER_MINUTE: '', RATE_LIMIT_INSTANCE_NEW_PER_MINUTE: '' });
    token = await t.newAccount();
  });
  afterAll(() => t.close());

  it('answers an unknown route with 404 in the envelope', async () => {
    const res = await api(t.url, token).get('/api/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(error('Cannot GET /api/does-not-exist'));
  });

  it('answers malformed JSON with 400 invalid body: malformed JSON', async () => {
    const res = await post('/api/instance/new', '{"name": "broken"');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error('invalid body: malformed JSON'));
  });

  it('refuses a JSON body that is not an object', async () => {
    const array = await post('/api/instance/new', '[{"name": "listed"}]');
    expect(array.status).toBe(400);
    expect(array.body).toEqual(error('invalid body: expected a JSON object'));
    // The JSON parser is strict: a bare value at the top level is not accepted as JSON.
    const scalar = await post('/api/instance/new', '"just a string"');
    expect(scalar.status).toBe(400);
    expect(scalar.body).toEqual(error('invalid body: malformed JSON'));
  });

  it('refuses a body over 1 MB with 413', async () => {
    const res = await post('/api/instance/new', JSON.stringify({ name: 'big', padding: 'x'.repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual(error('request entity too large'));
  });

  it('never answers bad input with a 5xx', async () => {
    const answers = [
      await api(t.url, token).get('/api/instance/connect/%FF'),
      await post('/api/instance/new', '{"name": {"$gt": ""}}'),
      await post('/api/instance/new', `${'['.repeat(5000)}${']'.repeat(5000)}`),
      await post('/api/instance/new', '{"name": "x"}', { 'content-type': 'application/json; charset=latin1' }),
      await post('/api/instance/new', 'garbage', { 'content-encoding': 'gzip' }),
      await post('/api/instance/new', '\u0000\u0001'),
      await post('/api/message/text/nobody', '{"number": ["5511999999999"], "message": "hi"}'),
      await post('/api/message/media/nobody', '{"number": "5511999999999", "media": "image"}'),
      await post('/api/sandbox/receive/nobody', '{"from": 5511999999999, "text": 1e400}'),
      await api(t.url, token).get(`/api/instance/connect/${'n'.repeat(5000)}`),
    ];
    expect(answers.map((r) => r.status)).toEqual([400, 400, 400, 415, 400, 400, 400, 400, 400, 404]);
    for (const res of answers) expect(res.body).toEqual({ success: false, error: { message: expect.any(String) } });
    expect(answers[3].body).toEqual(error('unsupported charset "LATIN1"'));
    expect(answers[6].body).toEqual(error('invalid body: number must be a string'));
    expect(answers[9].body).toEqual(error('instance not found'));
  });

  it('serves GET /health without a token', async () => {
    const res = await api(t.url).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: { status: 'up', latency_ms: expect.any(Number) }, uptime_s: expect.any(Number), node: expect.any(String) });
  });

  it('puts the rate-limit headers on every response: 200, 400, 401, 404', async () => {
    const responses = [
      await api(t.url, token).get('/api/instance/list'),
      await post('/api/message/text/anyone', '{oops'),
      await api(t.url).get('/api/instance/list'),
      await api(t.url, 'ryz_acc_unknown-token').get('/api/instance/list'),
      await api(t.url, token).get('/nowhere'),
      await api(t.url).get('/health'),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 400, 401, 401, 404, 200]);
    for (const res of responses) expectRateLimitHeaders(res, 100);
  });

  it('puts the headers of the 20/min bucket on POST /api/instance/new, failed or not', async () => {
    const responses = [
      await post('/api/instance/new', '{"name": "counted"}'),
      await post('/api/instance/new', '{oops'),
      await post('/api/instance/new', `{"name": "${'x'.repeat(1024 * 1024 + 1)}"}`),
    ];
    expect(responses.map((r) => r.status)).toEqual([201, 400, 413]);
    for (const res of responses) expectRateLimitHeaders(res, 20);
  });
});

describe('rate limits (5/min, and 2/min for POST /api/instance/new)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_INSTANCE_NEW_PER_MINUTE: '2' });
  });
  afterAll(() => t.close());

  it('answers 429 once a token has used its requests, with the headers', async () => {
    const client = api(t.url, await t.newAccount());
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await client.get('/api/instance/list');
      expect(res.status).toBe(200);
      expectRateLimitHeaders(res, 5);
      remaining.push(res.headers.get('x-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);

    const limited = await client.get('/api/instance/list');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(error('Rate limit exceeded. Try again later.'));
    expectRateLimitHeaders(limited, 5);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('counts each token on its own', async () => {
    const first = api(t.url, await t.newAccount());
    for (let i = 0; i < 5; i++) await first.get('/api/instance/list');
    expect((await first.get('/api/instance/list')).status).toBe(429);

    const second = await api(t.url, await t.newAccount()).get('/api/instance/list');
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-remaining')).toBe('4');
  });

  it('counts unknown tokens too, and still answers them 429 first', async () => {
    const stranger = api(t.url, 'ryz_acc_guessing-tokens');
    for (let i = 0; i < 5; i++) expect((await stranger.get('/api/instance/list')).status).toBe(401);
    const res = await stranger.get('/api/instance/list');
    expect(res.status).toBe(429);
    expect(res.body).toEqual(error('Rate limit exceeded. Try again later.'));
  });

  it('gives POST /api/instance/new its own, smaller bucket', async () => {
    const account = await t.newAccount();
    const client = api(t.url, account);
    for (const name of ['limited-1', 'limited-2']) {
      const res = await client.post('/api/instance/new', { name });
      expect(res.status).toBe(201);
      expectRateLimitHeaders(res, 2);
    }
    const third = await client.post('/api/instance/new', { name: 'limited-3' });
    expect(third.status).toBe(429);
    expect(third.body).toEqual(error('Rate limit exceeded. Try again later.'));
    expectRateLimitHeaders(third, 2);

    // The general bucket of the same token is untouched by the three creations.
    const list = await client.get('/api/instance/list');
    expect(list.status).toBe(200);
    expect(list.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(list.body.data.map((i: { name: string }) => i.name)).toEqual(['limited-1', 'limited-2']);
  });
});
