import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChannelHub } from '../../src/ryzeapi/chatwoot/channel/channel.hub.js';
import { OutboxRetention } from '../../src/ryzeapi/chatwoot/channel/outbox.retention.js';
import { bridgeEnv, createIntegration, RawBridge, waitFor, type Integration } from '../support/channel-helpers.js';
import { dashboardMetrics } from '../support/dashboard.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { parsePromText, sampleValue, type Sample } from '../support/prom-text.js';
import { startApp, type TestApp } from '../support/test-app.js';

const METRICS_TOKEN = 'metrics-scrape-token-for-tests';

describe('GET /metrics', () => {
  let bridge: FakeBridge;
  let t: TestApp;
  let integration: Integration;

  async function scrape(): Promise<Sample[]> {
    const res = await api(t.url).get('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    return parsePromText(res.text);
  }
  const value = async (name: string, labels: Record<string, string> = {}) => sampleValue(await scrape(), name, labels);
  const receive = (text: string) =>
    api(t.url, integration.token).post(`/api/sandbox/receive/${integration.name}`, { from: '5511999999999', name: 'Maria', text });

  beforeAll(async () => {
    registerSecret(METRICS_TOKEN);
    bridge = await new FakeBridge().start();
    t = await startApp(bridgeEnv(bridge, { METRICS_TOKEN }));
    integration = await createIntegration(t, 'metered');
  });
  afterAll(async () => {
    await t.close();
    await bridge.stop();
  });

  it('is behind METRICS_TOKEN: 401 in the envelope without it or with another; Bearer or token header', async () => {
    const missing = await api(t.url).get('/metrics');
    expect([missing.status, missing.body]).toEqual([401, { success: false, error: { message: 'Missing token' } }]);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    const wrong = await api(t.url).get('/metrics', { headers: { authorization: 'Bearer not-the-metrics-token' } });
    expect([wrong.status, wrong.body]).toEqual([401, { success: false, error: { message: 'Invalid token' } }]);
    const account = await api(t.url, integration.token).get('/metrics');
    expect(account.status).toBe(401);
    const header = await api(t.url).get('/metrics', { headers: { token: METRICS_TOKEN } });
    expect(header.status).toBe(200);
    expect(header.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('has process and event-loop metrics and every ryzeapi metric, in the text format', async () => {
    const samples = await scrape();
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes',
      'ryzeapi_http_request_duration_seconds_bucket', 'ryzeapi_bridge_sockets', 'ryzeapi_outbox_pending_events',
      'ryzeapi_outbox_oldest_pending_seconds', 'ryzeapi_events_appended_total', 'ryzeapi_events_acked_total',
      'ryzeapi_events_dropped_total', 'ryzeapi_commands_total',
    ]) expect([name, names.has(name)]).toEqual([name, true]);
    expect(samples.filter((s) => s.name.startsWith('ryzeapi_events_') && 'instance' in s.labels)).toEqual([]);
  });

  it("backs every query of docs/grafana-dashboard.json's RyzeAPI row with a metric it exposes", async () => {
    const used = dashboardMetrics().get('RyzeAPI')!;
    const exposed = new Set((await scrape()).map((s) => s.name));
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(10);
  });

  it('counts appended events and shows them pending until the bridge acks them', async () => {
    const appended = (await value('ryzeapi_events_appended_total'))!;
    for (const text of ['one', 'two', 'three']) expect((await receive(text)).status).toBe(201);
    const samples = await scrape();
    expect(sampleValue(samples, 'ryzeapi_events_appended_total')).toBe(appended + 3);
    const pending = sampleValue(samples, 'ryzeapi_outbox_pending_events')!;
    expect(pending).toBeGreaterThanOrEqual(3); // plus the instance.state event of connecting
    expect(sampleValue(samples, 'ryzeapi_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'ryzeapi_bridge_sockets')).toBe(0);

    const raw = new RawBridge(integration.channelUrl, bridge.token);
    try {
      await raw.next('hello', (f) => f.type === 'hello');
      expect(await value('ryzeapi_bridge_sockets')).toBe(1);
      const acked = (await value('ryzeapi_events_acked_total'))!;
      await waitFor('every pending event', () => raw.events.length >= pending);
      raw.send({ type: 'ack', seq: raw.events.at(-1).seq });
      await waitFor('the ack to be counted', async () => (await value('ryzeapi_events_acked_total')) === acked + pending);
      await t.app.get(ChannelHub).acksSettled();
      const after = await scrape();
      expect(sampleValue(after, 'ryzeapi_outbox_pending_events')).toBe(0);
      expect(sampleValue(after, 'ryzeapi_outbox_oldest_pending_seconds')).toBe(0);
    } finally {
      await raw.close();
    }
  });

  it('counts commands by outcome: sent, duplicate, failed', async () => {
    const before = Object.fromEntries(await Promise.all(['sent', 'duplicate', 'failed'].map(async (o) => [o, (await value('ryzeapi_commands_total', { outcome: o }))!])));
    const raw = new RawBridge(integration.channelUrl, bridge.token);
    try {
      await raw.next('hello', (f) => f.type === 'hello');
      const send = { type: 'send', id: 'metrics-1', to: '5511999999999', text: 'Olá' };
      raw.send(send);
      await raw.next('result 1', (f) => f.type === 'result' && f.id === 'metrics-1');
      raw.send(send);
      await raw.next('result 1 again', (f) => f.type === 'result' && f.id === 'metrics-1');
      expect((await api(t.url, integration.token).delete(`/api/instance/logout/${integration.name}`)).status).toBe(200);
      raw.send({ ...send, id: 'metrics-2' });
      expect(await raw.next('result 2', (f) => f.type === 'result' && f.id === 'metrics-2')).toMatchObject({ ok: false });
    } finally {
      await raw.close();
      await api(t.url, integration.token).get(`/api/instance/connect/${integration.name}`);
    }
    const samples = await scrape();
    expect(['sent', 'duplicate', 'failed'].map((outcome) => sampleValue(samples, 'ryzeapi_commands_total', { outcome })! - before[outcome])).toEqual([1, 1, 1]);
  });

  it('counts events dropped by retention', async () => {
    const dropped = (await value('ryzeapi_events_dropped_total'))!;
    for (const text of ['a', 'b', 'c']) await receive(text);
    const pending = (await value('ryzeapi_outbox_pending_events'))!;
    const channel = t.config.channel;
    const kept = channel.retentionMaxEvents;
    channel.retentionMaxEvents = 1;
    try {
      expect(await t.app.get(OutboxRetention).run()).toBe(pending - 1);
    } finally {
      channel.retentionMaxEvents = kept;
    }
    expect(await value('ryzeapi_events_dropped_total')).toBe(dropped + pending - 1);
  });

  it('times HTTP requests by method, route pattern and status, never by raw URL', async () => {
    const samples = await scrape();
    const http = samples.filter((s) => s.name.startsWith('ryzeapi_http_request_duration_seconds'));
    expect(sampleValue(http, 'ryzeapi_http_request_duration_seconds_count', { method: 'POST', route: '/api/sandbox/receive/:instance', status: '201' })).toBe(6);
    expect(http.filter((s) => JSON.stringify(s.labels).includes('metered'))).toEqual([]);
    await api(t.url).get('/no/such/route/metered');
    const unmatched = sampleValue(await scrape(), 'ryzeapi_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' });
    expect(unmatched).toBeGreaterThanOrEqual(1);
  });
});

describe('GET /metrics with METRICS_PER_INSTANCE and no METRICS_TOKEN', () => {
  let bridge: FakeBridge;
  let t: TestApp;
  beforeAll(async () => {
    bridge = await new FakeBridge().start();
    t = await startApp(bridgeEnv(bridge, { METRICS_PER_INSTANCE: 'true' }));
  });
  afterAll(async () => {
    await t.close();
    await bridge.stop();
  });

  it('is open, and labels the event counters and backlog gauges by instance', async () => {
    const a = await createIntegration(t, 'per-a');
    await api(t.url, a.token).post('/api/sandbox/receive/per-a', { from: '5511999999999', name: 'Maria', text: 'Oi' });
    const res = await api(t.url).get('/metrics');
    expect(res.status).toBe(200);
    const samples = parsePromText(res.text);
    expect(sampleValue(samples, 'ryzeapi_events_appended_total', { instance: 'per-a' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, 'ryzeapi_outbox_pending_events', { instance: 'per-a' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, 'ryzeapi_outbox_oldest_pending_seconds', { instance: 'per-a' })).toBeGreaterThanOrEqual(0);
  });
});
