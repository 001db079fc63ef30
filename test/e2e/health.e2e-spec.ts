import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AppLifecycle } from '../../src/ryzeapi/lifecycle/app-lifecycle.js';
import { api } from '../support/http.js';
import { startApp, type TestApp } from '../support/test-app.js';

const UP = { lifecycle: { status: 'up', state: 'ready' }, database: { status: 'up', responseTime: expect.any(Number) } };
const READY = { status: 'ok', info: UP, error: {}, details: UP };

/** Liveness and readiness (no token), next to the original /health. */
describe('health endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('GET /health/live: 200 while the process answers', async () => {
    const res = await api(t.url).get('/health/live');
    expect([res.status, res.body]).toEqual([200, { status: 'ok', info: {}, error: {}, details: {} }]);
  });

  it('GET /health/ready: 200 once started, with the database up', async () => {
    const res = await api(t.url).get('/health/ready');
    expect([res.status, res.body]).toEqual([200, READY]);
  });

  it('GET /health: unchanged, 200 {"status": "ok", ...}', async () => {
    const res = await api(t.url).get('/health');
    expect([res.status, res.body]).toEqual([200, { status: 'ok', database: { status: 'up', latency_ms: expect.any(Number) }, uptime_s: expect.any(Number) }]);
  });

  it('GET /health/ready: 503 while starting and once shutting down; live stays 200', async () => {
    const lifecycle = t.app.get(AppLifecycle);
    try {
      lifecycle.state = 'starting';
      let res = await api(t.url).get('/health/ready');
      expect([res.status, res.body]).toEqual([503, { success: false, error: { message: 'not ready: lifecycle starting' } }]);
      lifecycle.beginShutdown();
      res = await api(t.url).get('/health/ready');
      expect([res.status, res.body]).toEqual([503, { success: false, error: { message: 'not ready: lifecycle stopping' } }]);
      expect((await api(t.url).get('/health/live')).status).toBe(200);
    } finally {
      lifecycle.state = 'ready';
    }
  });

  it('when the database does not answer: /health/ready and /health 503, /health/live 200', async () => {
    await t.app.get(DataSource).destroy();
    const ready = await api(t.url).get('/health/ready');
    expect([ready.status, ready.body]).toEqual([503, { success: false, error: { message: 'not ready: database down' } }]);
    const health = await api(t.url).get('/health');
    expect([health.status, health.body]).toEqual([503, { success: false, error: { message: 'database unavailable' } }]);
    expect((await api(t.url).get('/health/live')).status).toBe(200);
  });
});
