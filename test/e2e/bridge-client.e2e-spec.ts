/**
 * The reference channel client (tools/channel-client.ts) against the real service: ordered one-at-a-
 * time processing, ack after the handler, dedup by seq, redelivery after a failing handler,
 * reconnection with backoff, commands across reconnects, the final ack on close, gaps.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { EventFrame } from '../../src/shared/protocol/channel.frames.js';
import { ChannelClient, type ChannelClientOptions } from '../../tools/channel-client.js';
import { OutboxRetention } from '../../src/ryzeapi/chatwoot/channel/outbox.retention.js';
import { SandboxEngine } from '../../src/ryzeapi/engine/sandbox/sandbox.engine.js';
import { InstancesService } from '../../src/ryzeapi/instances/instances.service.js';
import { bridgeEnv, createIntegration, sleep, terminateFromServer, waitFor, within, type Integration } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { startApp, type TestApp } from '../support/test-app.js';

describe('reference channel client', () => {
  let bridge: FakeBridge;
  let t: TestApp;
  let token: string;
  const clients: ChannelClient[] = [];

  const integration = (name: string, options: Parameters<typeof createIntegration>[2] = {}) => createIntegration(t, name, { token, ...options });
  const client = (target: Integration, options: Partial<ChannelClientOptions> & Pick<ChannelClientOptions, 'onEvent'>) => {
    const c = new ChannelClient({ url: target.channelUrl, token: bridge.token, backoff: { initialMs: 10, maxMs: 200 }, ...options }).start();
    clients.push(c);
    return c;
  };
  const receive = (target: Integration, text: string) =>
    t.app.get(SandboxEngine).receive({ id: target.id, name: target.name }, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', text });
  const lastAcked = async (target: Integration) =>
    Number((await t.app.get(DataSource).query(`SELECT last_acked_seq FROM chatwoot_integrations WHERE instance_id = $1`, [target.id]))[0].last_acked_seq);
  const textOf = (f: EventFrame) => (f.event === 'message.exchange' ? f.data.message.content.text : f.event);

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
    t = await startApp(bridgeEnv(bridge, { BRIDGE_RETENTION_MAX_EVENTS: '50' }));
    token = await t.newAccount();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await t?.close();
    await bridge?.stop();
  });

  it('runs one handler at a time, in seq order, and acks only after it resolves', async () => {
    const target = await integration('cl-order');
    for (let i = 0; i < 4; i++) await receive(target, `m${i}`);
    let active = 0;
    let maxActive = 0;
    const order: number[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    client(target, {
      ackEvery: 1,
      ackDelayMs: 1,
      onEvent: async (frame) => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (frame.seq === 3) await blocked;
        else await sleep(1);
        order.push(frame.seq);
        active--;
      },
    });
    await waitFor('seqs 1-2 to be acked', async () => (await lastAcked(target)) === 2);
    await sleep(50); // the handler of 3 is still running: its ack must not go out meanwhile
    expect(await lastAcked(target)).toBe(2);
    expect(order).toEqual([1, 2]);
    release();
    await waitFor('every event to be acked', async () => (await lastAcked(target)) === 5);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(maxActive).toBe(1);
  });

  it('drops redelivered seqs it has processed, and acks them', async () => {
    const target = await integration('cl-dedup');
    for (let i = 0; i < 4; i++) await receive(target, `d${i}`);
    const seen: number[] = [];
    // No ack goes out before the cut: everything is redelivered on the next connection.
    const c = client(target, { ackEvery: 1000, ackDelayMs: 60_000, onEvent: (f) => void seen.push(f.seq) });
    await waitFor('5 events', () => seen.length === 5);
    c.socket!.terminate();
    await waitFor('the redelivered events to be dropped', () => c.duplicates === 5);
    expect(c.connections).toBe(2);
    await receive(target, 'fresh');
    await waitFor('the fresh event', () => seen.length === 6);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(c.lastSeq).toBe(6);
    await c.close(); // flushes the pending ack
    await waitFor('the final ack to be stored', async () => (await lastAcked(target)) === 6);
  });

  it('gets an event again after its handler throws, without running later ones first', async () => {
    const target = await integration('cl-throw');
    for (let i = 0; i < 5; i++) await receive(target, `t${i}`);
    const calls: number[] = [];
    const processed: string[] = [];
    let thrown = false;
    const c = client(target, {
      onEvent: (f) => {
        calls.push(f.seq);
        if (f.seq === 3 && !thrown) {
          thrown = true;
          throw new Error('downstream unavailable');
        }
        processed.push(textOf(f));
      },
    });
    await waitFor('all 6 events processed', () => processed.length === 6);
    expect(processed).toEqual(['instance.state', 't0', 't1', 't2', 't3', 't4']);
    expect(calls.filter((s) => s === 3)).toHaveLength(2);
    expect(calls.indexOf(4)).toBeGreaterThan(calls.lastIndexOf(3));
    expect(c.connections).toBe(2);
  });

  it('reconnects with exponential backoff and jitter until the instance has an integration', async () => {
    const plain = await api(t.url, token).post('/api/instance/new', { name: 'cl-later' });
    expect(plain.status).toBe(201);
    const delays: number[] = [];
    const seen: string[] = [];
    const c = new ChannelClient({
      url: `${t.wsUrl}/ws/chatwoot/cl-later`,
      token: bridge.token,
      backoff: { initialMs: 4, maxMs: 40 },
      onEvent: (f) => void seen.push(textOf(f)),
      onDisconnect: ({ reconnectInMs }) => void delays.push(reconnectInMs!),
    }).start();
    clients.push(c);
    await waitFor('six refused attempts (404)', () => delays.length >= 6);
    delays.forEach((delay, attempt) => {
      const ceiling = Math.min(40, 4 * 2 ** attempt);
      expect({ attempt, delay, ok: delay >= ceiling / 2 - 1 && delay <= ceiling }).toEqual({ attempt, delay, ok: true });
    });
    const set = await api(t.url, token).post('/api/chatwoot/set/cl-later', { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: 'cw-api-token-secret' });
    expect(set.status).toBe(201);
    await waitFor('the client to connect once the integration exists', () => c.connections === 1, 5000);
    expect((await api(t.url, token).get('/api/instance/connect/cl-later')).status).toBe(200);
    await waitFor('the instance.state event', () => seen.includes('instance.state'));
    // A successful hello resets the backoff.
    const before = delays.length;
    expect(terminateFromServer(t, (await t.app.get(InstancesService).findByName('cl-later'))!.id)).toBe(true);
    await waitFor('the reconnect', () => c.connections === 2);
    expect(delays[before]).toBeLessThanOrEqual(4);
  });

  it('sends commands issued while disconnected after the next hello, and resolves them by id', async () => {
    const target = await integration('cl-send');
    const c = client(target, { onEvent: () => undefined });
    await waitFor('the client to connect', () => c.connected);
    const first = await within('a result', c.send({ id: 'cl-1', to: '5511999999999', text: 'one' }));
    expect(first).toMatchObject({ type: 'result', id: 'cl-1', ok: true });
    c.socket!.terminate();
    const pending = [c.send({ id: 'cl-2', to: '5511999999999', text: 'two' }), c.send({ id: 'cl-2', to: '5511999999999', text: 'two' }), c.send({ id: 'cl-1', to: '5511999999999', text: 'one' })];
    const [second, secondAgain, firstAgain] = await within('the results after the reconnect', Promise.all(pending));
    expect(second).toMatchObject({ id: 'cl-2', ok: true });
    expect(secondAgain).toEqual(second);
    expect(firstAgain).toEqual(first);
    const sent = (await api(t.url, target.token).get('/api/sandbox/sent/cl-send')).body.data;
    expect(sent.map((m: { command_id: string }) => m.command_id)).toEqual(['cl-1', 'cl-2']);
  });

  it('starts from a stored lastSeq, and reports gaps left by retention', async () => {
    const target = await integration('cl-resume');
    for (let i = 0; i < 3; i++) await receive(target, `r${i}`);
    const seen: number[] = [];
    // A bridge that restarted and had stored lastSeq 2: seqs 1-2 come again (never acked) and are skipped.
    const c = client(target, { lastSeq: 2, onEvent: (f) => void seen.push(f.seq) });
    await waitFor('seqs 3-4', () => seen.length === 2);
    expect(seen).toEqual([3, 4]);
    expect(c.duplicates).toBe(2);
    await c.close();

    const gappy = await integration('cl-gap');
    for (let i = 0; i < 54; i++) await receive(gappy, `g${i}`);
    expect(await t.app.get(OutboxRetention).run()).toBe(5); // 55 events, 50 kept
    const gaps: [number, number][] = [];
    const got: number[] = [];
    client(gappy, { onEvent: (f) => void got.push(f.seq), onGap: (expected, received) => void gaps.push([expected, received]) });
    await waitFor('the 50 kept events', () => got.length === 50);
    expect(got[0]).toBe(6);
    expect(gaps).toEqual([[1, 6]]);
  });
});
