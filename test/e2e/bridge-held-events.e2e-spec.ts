/**
 * Events stored while the window is full are held in memory (up to 2,000) and sent as acks make
 * room; what did not fit is read back from the outbox. Whatever mix of the two, the bridge gets
 * every event once, in seq order.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { SandboxEngine } from '../../src/ryzeapi/engine/sandbox/sandbox.engine.js';
import { bridgeEnv, createIntegration, openRaw, RawBridge, waitFor } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { startApp, type TestApp } from '../support/test-app.js';

const MESSAGES = 2600;
const WINDOW = 50;

describe('bridge channel: events held while the window is full', () => {
  let bridge: FakeBridge;
  let t: TestApp | undefined;
  const sockets: RawBridge[] = [];

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await bridge?.stop();
  });

  it(`${MESSAGES} messages stored while the bridge acks nothing arrive once each, in order, as it acks`, async () => {
    bridge = await new FakeBridge().start();
    t = await startApp(bridgeEnv(bridge, { BRIDGE_WINDOW: String(WINDOW) }));
    const target = await createIntegration(t, 'held');
    const raw = await openRaw(target, bridge.token, sockets);
    await waitFor('the first event', () => raw.events.length >= 1);
    const engine = t.app.get(SandboxEngine);
    const ref = { id: target.id, name: target.name };
    for (let i = 0; i < MESSAGES; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => engine.receive(ref, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', name: 'Maria', text: `m${i + j}` })),
      );
    }
    // Nothing acked yet: only the window goes out.
    await waitFor('a full window', () => raw.events.length >= WINDOW);
    expect(raw.events.length).toBe(WINDOW);
    const total = MESSAGES + 1;
    while (raw.events.length < total) {
      const seen = raw.events.length;
      raw.send({ type: 'ack', seq: raw.events[seen - 1].seq });
      await waitFor(`events after ${seen} (of ${total})`, () => raw.events.length > seen || seen === total);
    }
    expect(raw.events.map((f) => f.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const texts = raw.events.slice(1).map((f) => f.data.message.content.text);
    expect(new Set(texts).size).toBe(MESSAGES);
  });
});
