import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { startApp, TEST_KEY, type TestApp } from '../support/test-app.js';

describe('OpenAPI documentation', () => {
  let bridge: FakeBridge;
  let t: TestApp;
  beforeAll(async () => {
    bridge = await new FakeBridge().start();
    t = await startApp({ BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, ENCRYPTION_KEYS: TEST_KEY });
  });
  afterAll(async () => {
    await t.close();
    await bridge.stop();
  });

  it('documents every route at /docs, without a token', async () => {
    expect((await api(t.url).get('/docs')).status).toBe(200);
    const spec = (await api(t.url).get('/docs-json')).body;
    const routes = Object.entries(spec.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'GET /health',
        'GET /health/live',
        'GET /health/ready',
        'POST /api/instance/new',
        'GET /api/instance/list',
        'GET /api/instance/connect/{instance}',
        'DELETE /api/instance/logout/{instance}',
        'DELETE /api/instance/delete/{instance}',
        'POST /api/message/text/{instance}',
        'POST /api/message/media/{instance}',
        'POST /api/sandbox/receive/{instance}',
        'GET /api/sandbox/sent/{instance}',
        'POST /api/chatwoot/set/{instance}',
        'GET /api/chatwoot/list/{instance}',
        'DELETE /api/chatwoot/delete/{instance}',
      ].sort(),
    );
  });

  it('describes the set body without ever exposing the API token as readable', async () => {
    const spec = (await api(t.url).get('/docs-json')).body;
    const settings = spec.components.schemas.ChatwootSettingsDto;
    expect(settings.required).toEqual(expect.arrayContaining(['chatwootBaseUrl', 'chatwootAccountId', 'chatwootApiToken']));
    expect(settings.properties.chatwootApiToken.writeOnly).toBe(true);
  });
});
