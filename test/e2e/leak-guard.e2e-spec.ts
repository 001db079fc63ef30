import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api } from '../support/http.js';
import { assertNoLeaks, capturedBodies, findLeaks, registerSecret, registeredSecrets } from '../support/leak-guard.js';
import { TEST_KEY, startApp, type TestApp } from '../support/test-app.js';

/**
 * The guard of test/support/leak-guard.ts runs after every test file. These tests prove it can
 * fail: the scan is called directly on planted copies, never on this file's real captures.
 */
describe('secret leak guard', () => {
  const SECRET = 'ryz_acc_planted-secret-value';

  it('finds a planted secret in a log line and in a body, and does not repeat it in its report', () => {
    const leaks = findLeaks([SECRET, 'never-appears-anywhere'], {
      log: ['{"msg":"clean"}', `{"msg":"oops","token":"${SECRET}"}`],
      responseBody: [`{"error":{"message":"bad ${SECRET}"}}`],
    });
    expect(leaks).toEqual([
      { secret: 'ryz_ac…', where: 'log[1]: {"msg":"oops","token":"<SECRET>"}' },
      { secret: 'ryz_ac…', where: 'responseBody[0]: {"error":{"message":"bad <SECRET>"}}' },
    ]);
  });

  it('finds a secret in its encoded forms: percent-encoded, base64, base64url, upper-cased', () => {
    const forms = [
      `?token=${[...Buffer.from(SECRET)].map((b) => `%${b.toString(16)}`).join('')}`,
      Buffer.from(SECRET).toString('base64'),
      Buffer.from(`{"t":"${SECRET}"}`).toString('base64url'),
      SECRET.toUpperCase(),
    ];
    const leaks = findLeaks([SECRET], { log: forms });
    expect(leaks.map((leak) => leak.where.split(':')[0])).toEqual(['log[0]', 'log[1]', 'log[2]', 'log[3]']);
    expect(leaks[0].where).toBe('log[0]: ?token=<SECRET>');
  });

  it('throws from the hook function when anything leaked, and not otherwise', () => {
    expect(() => assertNoLeaks({ log: [`Bearer ${SECRET}`] }, [SECRET])).toThrow(
      'secret leak guard: 1 leak(s)\n  ryz_ac… in log[0]: Bearer <SECRET>',
    );
    expect(() => assertNoLeaks({ log: ['Bearer [Redacted]'] }, [SECRET])).not.toThrow();
  });

  it('does not track values too short to be secrets', () => {
    registerSecret('');
    registerSecret('short');
    expect(registeredSecrets().has('')).toBe(false);
    expect(registeredSecrets().has('short')).toBe(false);
  });

  describe('with a running app', () => {
    const BRIDGE_TOKEN = 'bridge-token-for-the-leak-guard';
    let t: TestApp;
    let account: string;

    beforeAll(async () => {
      t = await startApp({ BRIDGE_URL: 'http://127.0.0.1:9', BRIDGE_TOKEN, ENCRYPTION_KEYS: TEST_KEY });
      account = await t.newAccount();
    });
    afterAll(() => t.close());

    it('registers the bridge token, the encryption key and every TokenAccount', () => {
      expect(registeredSecrets()).toEqual(new Set([BRIDGE_TOKEN, TEST_KEY.slice('k1:'.length), account]));
    });

    it('records the creating response with the TokenInstance blanked, and catches it anywhere else', async () => {
      const res = await api(t.url, account).post('/api/instance/new', { name: 'guarded' });
      expect(res.status).toBe(201);
      const token: string = res.body.instance.token;
      expect(registeredSecrets().has(token)).toBe(true);
      expect(capturedBodies.at(-1)).toBe(JSON.stringify({ ...res.body, instance: { ...res.body.instance, token: '[TokenInstance shown once]' } }));
      expect(findLeaks([token], { responseBody: capturedBodies })).toEqual([]);
      expect(findLeaks([token], { responseBody: [...capturedBodies, `{"echo":"${token}"}`] })).toHaveLength(1);
    });

    it('registers a chatwootApiToken sent in a request body', async () => {
      const chatwootApiToken = 'chatwoot-api-token-of-the-leak-guard';
      const res = await api(t.url, account).post('/api/chatwoot/set/guarded', {
        chatwootBaseUrl: 'http://127.0.0.1:9', chatwootAccountId: 0, chatwootApiToken,
      });
      expect(res.status).toBe(400);
      expect(registeredSecrets().has(chatwootApiToken)).toBe(true);
    });
  });
});
