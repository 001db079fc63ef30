import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { loadConfig } from '../../src/ryzeapi/config/app-config.js';
import { ConfigError } from '../../src/shared/config/config.error.js';
import { api } from '../support/http.js';
import { ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, startApp, TEST_KEY, type TestApp, type TestDatabase } from '../support/test-app.js';

const DISABLED = 'integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const PATHS = [
  '/api/chatwoot/',
  '/api/chatwoot/set/x',
  '/api/chatwoot/list/x',
  '/api/chatwoot/delete/x',
  '/api/chatwoot/list/anything',
  '/api/chatwoot/no/such/route',
];
const INLINE = {
  chatwootEnabled: true,
  chatwootBaseUrl: 'https://chatwoot.example.com',
  chatwootAccountId: 5,
  chatwootApiToken: 'cw-disabled-secret-token',
};

async function call(url: string, method: string, path: string, token?: string) {
  const res = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token && { token }) },
    body: method === 'GET' ? undefined : JSON.stringify({ chatwootBaseUrl: 'nope' }),
  });
  return { status: res.status, body: await res.json() };
}

/** Opens a WebSocket and reports the plain HTTP answer it got instead of an upgrade. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('error', (error) => reject(error));
  });
}

describe('Chatwoot module disabled', () => {
  // One database for the four apps of this file: they run one after the other.
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  describe('without BRIDGE_URL and BRIDGE_TOKEN', () => {
    let t: TestApp;
    let token: string;
    beforeAll(async () => {
      t = await startApp({ ENCRYPTION_KEYS: '' }, db);
      token = await t.newAccount();
    });
    afterAll(() => t.close());

    it('answers 401 without a token and 503 with one, on every method and path under /api/chatwoot', async () => {
      for (const path of PATHS) {
        for (const method of METHODS) {
          expect([method, path, await call(t.url, method, path)]).toEqual([
            method, path, { status: 401, body: { success: false, error: { message: 'Missing token' } } },
          ]);
          expect([method, path, await call(t.url, method, path, 'not-a-token')]).toEqual([
            method, path, { status: 401, body: { success: false, error: { message: 'Invalid token' } } },
          ]);
          expect([method, path, await call(t.url, method, path, token)]).toEqual([
            method, path, { status: 503, body: { success: false, error: { message: DISABLED } } },
          ]);
        }
      }
    });

    it('answers 503 to HEAD and OPTIONS too', async () => {
      for (const method of ['HEAD', 'OPTIONS']) {
        const res = await fetch(`${t.url}/api/chatwoot/list/anything`, { method, headers: { token } });
        expect([method, res.status]).toEqual([method, 503]);
      }
    });

    it('answers 503 to a TokenInstance on another instance: the module check comes before any instance check', async () => {
      const created = await api(t.url, token).post('/api/instance/new', { name: 'own' });
      expect(created.status).toBe(201);
      const res = await api(t.url, created.body.instance.token).get('/api/chatwoot/list/someone-else');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ success: false, error: { message: DISABLED } });
    });

    it('has no /ws/chatwoot route: an upgrade gets a plain HTTP 404', async () => {
      const res = await upgradeStatus(`${t.wsUrl}/ws/chatwoot/x`, { Authorization: 'Bearer anything' });
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body)).toEqual({ success: false, error: { message: 'Cannot GET /ws/chatwoot/x' } });
    });

    it('creates the instance on inline activation and reports the 503 text in chatwoot.error', async () => {
      const res = await api(t.url, token).post('/api/instance/new', { name: 'inline', ...INLINE });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        success: true,
        message: 'Instance created',
        instance: { name: 'inline', token: expect.any(String), status: 'disconnected' },
        chatwoot: { status: 'error', error: DISABLED },
      });
      const list = await api(t.url, token).get('/api/instance/list');
      expect(list.body.data.map((i: { name: string }) => i.name)).toContain('inline');
    });

    it('reports the 503 text first, as set would, when the inline Chatwoot fields are also invalid or missing', async () => {
      for (const [name, block] of [['inline-bad', { ...INLINE, chatwootBaseUrl: 'nope' }], ['inline-empty', { chatwootEnabled: true }]] as const) {
        const res = await api(t.url, token).post('/api/instance/new', { name, ...block });
        expect([res.status, res.body.chatwoot]).toEqual([201, { status: 'error', error: DISABLED }]);
      }
    });
  });

  // Half a bridge configuration would start with the module silently off: the service refuses it.
  for (const [set, missing, env] of [
    ['BRIDGE_URL', 'BRIDGE_TOKEN', { BRIDGE_URL: 'http://127.0.0.1:9' }],
    ['BRIDGE_TOKEN', 'BRIDGE_URL', { BRIDGE_TOKEN: 'bridge-token-alone' }],
  ] as const) {
    it(`refuses to start with only ${set}, naming ${missing}`, async () => {
      const service = new ServiceProcess({ ...db.env, ...env, ENCRYPTION_KEYS: TEST_KEY, PORT: '0' });
      expect(await service.exited).toEqual({ code: 1, signal: null });
      expect(service.stderr.join('\n').trim()).toBe(
        `invalid configuration: ${missing} is required when ${set} is set: set both to enable the Chatwoot module, or neither to leave it off`,
      );
      expect(service.stdout.filter(Boolean)).toEqual([]);
    });
  }

  describe('with the module on (for contrast)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ BRIDGE_URL: 'http://127.0.0.1:9', BRIDGE_TOKEN: 'bridge-token-on', ENCRYPTION_KEYS: TEST_KEY }, db);
    });
    afterAll(() => t.close());

    it('answers 404 instance not found to GET /api/chatwoot/list/anything', async () => {
      const res = await api(t.url, await t.newAccount()).get('/api/chatwoot/list/anything');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, error: { message: 'instance not found' } });
    });

    it('has the /ws/chatwoot route: an upgrade without the bridge token gets 401, not 404', async () => {
      expect((await upgradeStatus(`${t.wsUrl}/ws/chatwoot/x`)).status).toBe(401);
    });
  });
});

describe('configuration', () => {
  const bridge = { BRIDGE_URL: 'http://bridge.local:4000', BRIDGE_TOKEN: 'bridge-token' };

  it('refuses to enable the module without ENCRYPTION_KEYS, naming the variable', () => {
    for (const keys of [undefined, '', '   ']) {
      let error: unknown;
      try {
        loadConfig({ ...bridge, ENCRYPTION_KEYS: keys });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('ENCRYPTION_KEYS');
      expect((error as ConfigError).message).toMatch(/^invalid configuration: ENCRYPTION_KEYS is required when the Chatwoot module is enabled/);
    }
  });

  it('refuses a malformed ENCRYPTION_KEYS, naming the variable', () => {
    for (const keys of ['k1:c2hvcnQ=', 'no-separator', `k1:${Buffer.alloc(32).toString('base64')},k1:${Buffer.alloc(32).toString('base64')}`]) {
      expect(() => loadConfig({ ...bridge, ENCRYPTION_KEYS: keys })).toThrow(/^invalid configuration: ENCRYPTION_KEYS /);
    }
  });

  it('leaves the module off without both variables, and needs no key then', () => {
    expect(loadConfig({}).bridge).toBeUndefined();
    expect(() => loadConfig({ BRIDGE_URL: bridge.BRIDGE_URL })).toThrow(/^invalid configuration: BRIDGE_TOKEN is required when BRIDGE_URL is set/);
    expect(() => loadConfig({ BRIDGE_TOKEN: bridge.BRIDGE_TOKEN })).toThrow(/^invalid configuration: BRIDGE_URL is required when BRIDGE_TOKEN is set/);
    expect(loadConfig({ ...bridge, ENCRYPTION_KEYS: TEST_KEY }).bridge?.url).toBe(bridge.BRIDGE_URL);
  });
});
