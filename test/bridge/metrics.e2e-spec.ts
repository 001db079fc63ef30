import { beforeAll, describe, expect, it } from '@jest/globals';
import { CommandsRepository } from '../../src/bridge/replies/commands.repository.js';
import { waitFor } from '../support/channel-helpers.js';
import { dashboardMetrics } from '../support/dashboard.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { parsePromText, sampleValue, type Sample } from '../support/prom-text.js';
import { BRIDGE_TOKEN, connectedInstance, receive, useStack } from '../support/test-bridge.js';

const METRICS_TOKEN = 'bridge-metrics-scrape-token-for-tests';
const REQUESTS = 'ryzeapi_bridge_chatwoot_requests_total';
const DURATION = 'ryzeapi_bridge_chatwoot_request_duration_seconds';
const WEBHOOKS = 'ryzeapi_bridge_webhooks_total';
const OUTCOMES = ['accepted', 'duplicate', 'ignored', 'noted', 'refused', 'failed'];

/** The bridge's GET /metrics: Chatwoot requests by status, inbox webhooks by outcome, its sockets and pending replies. */
describe('bridge: GET /metrics', () => {
  const stack = useStack({ bridgeEnv: { METRICS_TOKEN } });
  let instance: string;
  let integrationId: string;
  let inboxId: number;
  let webhookSecret: string;

  async function scrapeText(): Promise<string> {
    const res = await api(stack().bridge.url).get('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    return res.text;
  }
  const scrape = async () => parsePromText(await scrapeText());

  /** Requests the fake Chatwoot answered on its Application API, by status. */
  const chatwootAnswered = () => countBy(stack().chatwoot.requests.filter((r) => r.path.startsWith('/api/v1/')).map((r) => String(r.status)));
  /** The bridge's request counter, by status. */
  const bridgeCounted = (samples: Sample[]) => Object.fromEntries(samples.filter((s) => s.name === REQUESTS).map((s) => [s.labels.status, s.value]));

  /** Relays one WhatsApp message and waits until the bridge counted every request the fake Chatwoot answered. */
  async function relay(text: string, customer = '5511988887777') {
    const before = stack().chatwoot.messages().length;
    await receive(stack(), instance, { from: customer, name: 'Maria', text });
    await waitFor('the message in Chatwoot', () => stack().chatwoot.messages().length > before);
    await waitFor('every Chatwoot answer counted', async () => JSON.stringify(bridgeCounted(await scrape())) === JSON.stringify(chatwootAnswered()));
  }

  beforeAll(async () => {
    registerSecret(METRICS_TOKEN);
    ({ name: instance, integrationId } = await connectedInstance(stack(), 'metered'));
    inboxId = (await api(stack().ryze.url, stack().account).get(`/api/chatwoot/list/${instance}`)).body.chatwoot_inbox_id;
    webhookSecret = stack().chatwoot.inboxes().find((i) => i.id === inboxId)!.webhookUrl.split('/').pop()!;
    registerSecret(webhookSecret);
  });

  it("is behind METRICS_TOKEN: 401 in the bridge's error body without it or with another; Bearer or token header", async () => {
    const url = stack().bridge.url;
    const missing = await api(url).get('/metrics');
    expect([missing.status, missing.body]).toEqual([401, { error: { message: 'Missing token' } }]);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    const wrong = await api(url).get('/metrics', { headers: { authorization: 'Bearer not-the-metrics-token' } });
    expect([wrong.status, wrong.body]).toEqual([401, { error: { message: 'Invalid token' } }]);
    const service = await api(url).get('/metrics', { headers: { authorization: `Bearer ${BRIDGE_TOKEN}` } });
    expect([service.status, service.body]).toEqual([401, { error: { message: 'Invalid token' } }]);
    const header = await api(url).get('/metrics', { headers: { token: METRICS_TOKEN } });
    expect(header.status).toBe(200);
    expect(header.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("has process and event-loop metrics, every bridge metric, and every name of the dashboard's bridge row", async () => {
    const samples = await scrape();
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes',
      REQUESTS, `${DURATION}_bucket`, `${DURATION}_count`, WEBHOOKS, 'ryzeapi_bridge_ryzeapi_sockets', 'ryzeapi_bridge_pending_commands',
    ]) expect([name, names.has(name)]).toEqual([name, true]);
    expect(OUTCOMES.map((outcome) => sampleValue(samples, WEBHOOKS, { outcome }) !== undefined)).toEqual(OUTCOMES.map(() => true));
    const used = dashboardMetrics().get('RyzeIntegrations (the bridge)')!;
    expect(used.size).toBeGreaterThanOrEqual(4);
    expect([...used].filter((name) => !names.has(name))).toEqual([]);
    expect(sampleValue(samples, 'ryzeapi_bridge_ryzeapi_sockets')).toBe(1);
  });

  it("counts and times every Chatwoot request by Chatwoot's status as a message is relayed", async () => {
    const before = await scrape();
    const answered = stack().chatwoot.requests.length;
    await relay('Oi, tudo bem?');
    const after = await scrape();
    const made = stack().chatwoot.requests.slice(answered).filter((r) => r.path.startsWith('/api/v1/'));
    expect(made.length).toBeGreaterThanOrEqual(2); // at least the contact lookup and the message
    const counted = sampleValue(after, REQUESTS)! - (sampleValue(before, REQUESTS) ?? 0);
    expect(counted).toBe(made.length);
    expect(sampleValue(after, REQUESTS, { status: '200' })! - (sampleValue(before, REQUESTS, { status: '200' }) ?? 0)).toBe(made.filter((r) => r.status === 200).length);
    expect(sampleValue(after, `${DURATION}_count`)! - sampleValue(before, `${DURATION}_count`)!).toBe(made.length);
    expect(sampleValue(after, `${DURATION}_sum`)!).toBeGreaterThan(sampleValue(before, `${DURATION}_sum`)!);
    expect(sampleValue(after, `${DURATION}_bucket`, { le: '+Inf' })).toBe(sampleValue(after, `${DURATION}_count`));
  });

  it('labels the 429s of a rate-limited Chatwoot with 429, and the calls it answered after that with their status', async () => {
    const before = await scrape();
    stack().chatwoot.rateLimit(2, 0);
    await relay('Ainda aí?');
    const after = await scrape();
    expect(sampleValue(after, REQUESTS, { status: '429' })! - (sampleValue(before, REQUESTS, { status: '429' }) ?? 0)).toBe(2);
    expect(bridgeCounted(after)).toEqual(chatwootAnswered());
  });

  it('labels requests that got no answer (Chatwoot unreachable) with status 0', async () => {
    const unreachable = async () => sampleValue(await scrape(), REQUESTS, { status: '0' }) ?? 0;
    const before = await unreachable();
    await stack().chatwoot.outage('refuse');
    try {
      await receive(stack(), instance, { from: '5511988887777', name: 'Maria', text: 'Alô?' });
      await waitFor('a refused request counted as status 0', async () => (await unreachable()) > before);
    } finally {
      await stack().chatwoot.outage(null);
    }
    await waitFor('the message in Chatwoot after the outage', () => stack().chatwoot.messages().some((m) => m.content === 'Alô?'));
  });

  it('counts inbox webhooks by outcome: accepted, duplicate, ignored, noted, refused', async () => {
    const outcomes = async () => {
      const samples = await scrape();
      return Object.fromEntries(OUTCOMES.map((outcome) => [outcome, sampleValue(samples, WEBHOOKS, { outcome })!]));
    };
    const before = await outcomes();
    const conversationId = stack().chatwoot.messages().find((m) => m.inboxId === inboxId)!.conversationId;
    const reply = await stack().chatwoot.agentReply(conversationId, { content: 'Olá! Como posso ajudar?', duplicate: true });
    expect(reply.deliveries.map((d) => d.status)).toEqual([200, 200]);
    // conversation_status_changed (noted), then conversation_updated (ignored).
    await stack().chatwoot.changeStatus(conversationId, 'resolved');
    const refused = await api(stack().bridge.url).post(`/v1/chatwoot/webhook/${integrationId}/not-the-webhook-secret`, { event: 'message_created' });
    expect(refused.status).toBe(404);
    const after = await outcomes();
    expect(Object.fromEntries(OUTCOMES.map((o) => [o, after[o] - before[o]]))).toEqual({ accepted: 1, duplicate: 1, ignored: 1, noted: 1, refused: 1, failed: 0 });
  });

  it('shows stored agent replies as pending until RyzeAPI answers them', async () => {
    const pending = async () => sampleValue(await scrape(), 'ryzeapi_bridge_pending_commands');
    const commands = stack().bridge.app.get(CommandsRepository);
    const before = (await pending())!;
    // A reply of an integration without a socket: nothing can send it, it stays pending.
    const frame = { type: 'send' as const, id: 'cw-metrics-1', to: '5511988887777', text: 'Ainda não enviado' };
    expect(await commands.insertNew('int_without_socket', [{ conversationId: 1, chatwootMessageId: 1, frame }])).toBe(1);
    expect(await pending()).toBe(before + 1);
    await commands.succeeded('int_without_socket', frame.id, 'wamid-metrics-1');
    expect(await pending()).toBe(before);
  });

  it('holds no token, secret, URL, integration, instance or raw path in any label', async () => {
    const text = await scrapeText();
    const chatwoot = new URL(stack().chatwoot.url);
    for (const secret of [METRICS_TOKEN, BRIDGE_TOKEN, stack().chatwoot.token, webhookSecret, integrationId, instance, chatwoot.host, '/v1/', '/api/']) {
      expect([secret, text.includes(secret)]).toEqual([secret, false]);
    }
    const bridgeSamples = parsePromText(text).filter((s) => s.name.startsWith('ryzeapi_bridge_'));
    const labels = new Set(bridgeSamples.flatMap((s) => Object.keys(s.labels)));
    expect([...labels].sort()).toEqual(['le', 'outcome', 'status']);
    expect(bridgeSamples.filter((s) => s.labels.status !== undefined && !/^\d{1,3}$/.test(s.labels.status))).toEqual([]);
    expect(new Set(bridgeSamples.flatMap((s) => (s.labels.outcome ? [s.labels.outcome] : [])))).toEqual(new Set(OUTCOMES));
  });
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
