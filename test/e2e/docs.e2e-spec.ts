import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
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

const ROOT = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');
const MARKDOWN = ['README.md', 'bench/README.md', ...readdirSync(resolve(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('the repository carries its own documentation', () => {
  it.each(MARKDOWN)('%s: every link stays in the repository and leads to a file', (file) => {
    const text = read(file);
    expect(text).not.toMatch(/\bSPEC\b|\.\.\/shared/);
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    for (const target of targets) {
      expect([target, /^[a-z]+:/i.test(target)]).toEqual([target, false]); // no http(s):, no other scheme
      const path = resolve(dirname(resolve(ROOT, file)), target.split('#')[0]);
      expect([target, relative(ROOT, path).startsWith('..'), existsSync(path)]).toEqual([target, false, true]);
    }
  });

  it('docs/api.md documents every route of the service and every variable it reads', async () => {
    const api = read('docs/api.md');
    const bridge = await new FakeBridge().start();
    const t = await startApp({ BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, ENCRYPTION_KEYS: TEST_KEY });
    try {
      const spec = (await (await fetch(`${t.url}/docs-json`)).json()) as { paths: Record<string, object> };
      const routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      );
      for (const route of [...routes, 'GET /metrics']) expect([route, api.includes(route)]).toEqual([route, true]);
      expect(api).toContain('/ws/chatwoot/:instance');
    } finally {
      await t.close();
      await bridge.stop();
    }
    const config = read('src/ryzeapi/config/app-config.ts');
    const variables = new Set([...config.matchAll(/env(?:\.|, ')([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
    expect(variables.size).toBeGreaterThan(20);
    for (const variable of variables) expect([variable, api.includes(`\`${variable}\``)]).toEqual([variable, true]);
  });
});
