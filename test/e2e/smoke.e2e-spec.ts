import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api } from '../support/http.js';
import { startApp, type TestApp } from '../support/test-app.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('serves /health and creates an instance', async () => {
    expect((await api(t.url).get('/health')).body.status).toBe('ok');
    const token = await t.newAccount();
    const res = await api(t.url, token).post('/api/instance/new', { name: 'smoke' });
    expect(res.status).toBe(201);
    expect(res.body.instance.name).toBe('smoke');
  });
});
