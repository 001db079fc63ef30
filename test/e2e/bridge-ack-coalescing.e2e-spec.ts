/**
 * Acks are stored coalesced (at most one cursor write per ACK_DELAY_MS per instance). The window
 * this opens: an ack received and not yet stored when the process dies. Then the events it covered
 * come again after the restart (the bridge drops seqs it has seen): redelivered, never lost. A
 * clean shutdown, and a new connection's hello, wait for the acks received so far.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChannelHub } from '../../src/ryzeapi/chatwoot/channel/channel.hub.js';
import { SandboxEngine } from '../../src/ryzeapi/engine/sandbox/sandbox.engine.js';
import { bridgeEnv, createIntegration, openRaw, RawBridge, sleep, waitFor, type Integration } from '../support/channel-helpers.js';
import { dyingChannelStorage } from '../support/dying-channel-storage.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

/** Counts the cursor writes (`acks`); with `kill`, the process "dies" at the first one: it and every channel storage call after it fail. */
function countingOutbox(kill: boolean) {
  const acks: number[] = [];
  const override = dyingChannelStorage((method, args) => {
    if (method !== 'ack') return undefined;
    acks.push(args[1] as number);
    return kill ? 'dies before' : undefined;
  });
  return { acks, override };
}

const channelOf = (t: TestApp, target: Integration): Integration => ({ ...target, channelUrl: `${t.wsUrl}/ws/chatwoot/${target.name}` });

/** The hello frame (openRaw waited for it). */
const hello = (raw: RawBridge) => raw.frames.find((f) => f.type === 'hello');

async function receive(t: TestApp, target: Integration, count: number): Promise<void> {
  const engine = t.app.get(SandboxEngine);
  for (let i = 0; i < count; i++) {
    await engine.receive({ id: target.id, name: target.name }, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', name: 'Maria', text: `m${i}` });
  }
}

describe('bridge channel: coalesced acks', () => {
  let bridge: FakeBridge;
  const dbs: TestDatabase[] = [];
  let t: TestApp | undefined;
  const sockets: RawBridge[] = [];

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await Promise.all(dbs.map((db) => db.drop()));
    await bridge?.stop();
  });

  async function fresh(outbox?: ReturnType<typeof countingOutbox>): Promise<{ db: TestDatabase; env: Record<string, string> }> {
    const db = await createTestDatabase();
    dbs.push(db);
    const env = bridgeEnv(bridge);
    t = await startApp(env, db, outbox && { override: outbox.override });
    return { db, env };
  }

  it('acks arriving one after another within a few milliseconds are stored in one write; the next hello reports the last', async () => {
    const outbox = countingOutbox(false);
    await fresh(outbox);
    const target = await createIntegration(t!, 'coalesce');
    await receive(t!, target, 10);
    const raw = await openRaw(target, bridge.token, sockets);
    await waitFor('11 events', () => raw.events.length >= 11);
    for (let seq = 1; seq <= 11; seq++) {
      raw.send({ type: 'ack', seq });
      await sleep(1);
    }
    const again = await openRaw(target, bridge.token, sockets);
    expect(hello(again)).toMatchObject({ last_acked_seq: 11 });
    expect(outbox.acks.length).toBeLessThanOrEqual(2);
    expect(outbox.acks.at(-1)).toBe(11);
    expect((await api(t!.url, target.token).get(`/api/chatwoot/list/${target.name}`)).body.pending_events).toBe(0);
    await t!.close();
    t = undefined;
  });

  it('killed after the ack was received and before it was stored: after a restart the events come again, in order, none lost', async () => {
    const outbox = countingOutbox(true);
    const { db, env } = await fresh(outbox);
    const target = await createIntegration(t!, 'killed');
    await receive(t!, target, 3);
    const first = await openRaw(target, bridge.token, sockets);
    await waitFor('4 events', () => first.events.length >= 4);
    first.send({ type: 'ack', seq: 4 });
    await waitFor('the cursor write that dies', () => outbox.acks.length > 0);
    await first.close();
    await t!.close();

    t = await startApp(env, db);
    const raw = await openRaw(channelOf(t, target), bridge.token, sockets);
    expect(hello(raw)).toMatchObject({ last_acked_seq: 0 });
    await waitFor('the 4 events again', () => raw.events.length >= 4);
    expect(raw.events.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(raw.events.map((f) => f.event)).toEqual(first.events.map((f) => f.event));
    expect(raw.events.slice(1).map((f) => f.data.message.content.text)).toEqual(['m0', 'm1', 'm2']);
    raw.send({ type: 'ack', seq: 4 });
    await raw.close();
    await t.close();
    t = undefined;
  });

  it('a clean shutdown stores the acks still waiting for their write', async () => {
    const { db, env } = await fresh();
    const target = await createIntegration(t!, 'shutdown');
    await receive(t!, target, 2);
    const first = await openRaw(target, bridge.token, sockets);
    await waitFor('3 events', () => first.events.length >= 3);
    first.send({ type: 'ack', seq: 3 });
    // The ack reaches the server, and the shutdown starts before its delayed write would.
    const hub = t!.app.get(ChannelHub) as unknown as { ackTarget: Map<string, number> };
    await waitFor('the ack to reach the server', () => hub.ackTarget.get(target.id) === 3);
    await t!.close();

    t = await startApp(env, db);
    const raw = await openRaw(channelOf(t, target), bridge.token, sockets);
    expect(hello(raw)).toMatchObject({ last_acked_seq: 3 });
    expect((await api(t.url, target.token).get(`/api/chatwoot/list/${target.name}`)).body.pending_events).toBe(0);
    await raw.close();
    await t.close();
    t = undefined;
  });
});
