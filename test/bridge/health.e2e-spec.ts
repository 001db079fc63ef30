import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { api } from '../support/http.js';
import { createTestDatabase, type TestDatabase } from '../support/test-app.js';
import { BRIDGE_TOKEN, startBridge, type TestBridge } from '../support/test-bridge.js';

/** The bridge's GET /health, /health/ready (the image's HEALTHCHECK) and /health/live: no token. */
describe('bridge: health endpoints', () => {
  let db: TestDatabase;
  let bridge: TestBridge;
  beforeAll(async () => {
    db = await createTestDatabase();
    bridge = await startBridge({ BRIDGE_TOKEN, PORT: '0', PUBLIC_URL: 'http://127.0.0.1:1' }, db);
  });
  afterAll(async () => {
    await bridge.close();
    await db.drop();
  });

  const UP = { status: 'ok', database: { status: 'up', latency_ms: expect.any(Number) }, uptime_s: expect.any(Number) };

  it('GET /health and /health/ready: 200 with the database up; /health/live: 200', async () => {
    for (const path of ['/health', '/health/ready']) {
      const res = await api(bridge.url).get(path);
      expect([path, res.status, res.body]).toEqual([path, 200, UP]);
    }
    const live = await api(bridge.url).get('/health/live');
    expect([live.status, live.body]).toEqual([200, { status: 'ok' }]);
  });

  it('when the database does not answer: /health and /health/ready 503, /health/live 200', async () => {
    await bridge.app.get(DataSource).destroy();
    for (const path of ['/health', '/health/ready']) {
      const res = await api(bridge.url).get(path);
      expect([path, res.status, res.body]).toEqual([path, 503, { error: { message: 'database unavailable' } }]);
    }
    expect((await api(bridge.url).get('/health/live')).status).toBe(200);
  });
});
