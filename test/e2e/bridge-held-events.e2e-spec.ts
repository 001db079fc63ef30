/**
 * Events stored while the window is full are held in memory (within the node's
 * BRIDGE_HELD_MEMORY_BYTES) and sent as acks make room; what did not fit is read back from the
 * outbox. Whatever mix of the two, the bridge gets every event once, in seq order, and the memory
 * is given back.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { HeldEventsBudget } from '../../src/ryzeapi/chatwoot/channel/held-events.budget.js';
import { SandboxEngine } from '../../src/ryzeapi/engine/sandbox/sandbox.engine.js';
import { bridgeEnv, createIntegration, openRaw, RawBridge, waitFor } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { startApp, type TestApp } from '../support/test-app.js';

const MESSAGES = 2600;
const WINDOW = 50;
/** About 150 of the sandbox's events (some 400 characters of JSON each, counted at 2 bytes a character); a socket may take a quarter. */
const BUDGET = 120_000;

describe('bridge channel: events held while the window is full', () => {
  let bridge: FakeBridge;
  let t: TestApp | undefined;
  const sockets: RawBridge[] = [];

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await bridge?.stop();
  });

  async function relay(env: Record<string, string>, name: string): Promise<{ peak: number; budget: HeldEventsBudget; raw: RawBridge }> {
    bridge ??= await new FakeBridge().start();
    await t?.close();
    t = await startApp(bridgeEnv(bridge, { BRIDGE_WINDOW: String(WINDOW), ...env }));
    const budget = t.app.get(HeldEventsBudget);
    const target = await createIntegration(t, name);
    const raw = await openRaw(target, bridge.token, sockets);
    await waitFor('the first event', () => raw.events.length >= 1);
    const engine = t.app.get(SandboxEngine);
    const ref = { id: target.id, name: target.name };
    let peak = 0;
    for (let i = 0; i < MESSAGES; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => engine.receive(ref, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', name: 'Maria', text: `m${i + j}` })),
      );
      peak = Math.max(peak, budget.bytes);
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
    return { peak, budget, raw };
  }

  it(`${MESSAGES} messages stored while the bridge acks nothing arrive once each, in order, from memory`, async () => {
    const { peak, budget, raw } = await relay({}, 'held');
    expect(peak).toBeGreaterThan(BUDGET);
    await raw.close();
    await waitFor('the held memory given back', () => budget.bytes === 0);
  });

  it('with a small budget, what does not fit is read back from the outbox: still once each, in order', async () => {
    const { peak, budget, raw } = await relay({ BRIDGE_HELD_MEMORY_BYTES: String(BUDGET) }, 'held-small');
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(BUDGET / 4);
    await raw.close();
    await waitFor('the held memory given back', () => budget.bytes === 0);
  });

  it('with no budget at all, every event beyond the window is read back', async () => {
    const { peak, budget } = await relay({ BRIDGE_HELD_MEMORY_BYTES: '0' }, 'held-none');
    expect(peak).toBe(0);
    expect(budget.bytes).toBe(0);
  });

  it('a socket closed with events held gives their memory back', async () => {
    bridge ??= await new FakeBridge().start();
    await t?.close();
    t = await startApp(bridgeEnv(bridge, { BRIDGE_WINDOW: String(WINDOW) }));
    const budget = t.app.get(HeldEventsBudget);
    const target = await createIntegration(t, 'held-closed');
    const raw = await openRaw(target, bridge.token, sockets);
    const engine = t.app.get(SandboxEngine);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => engine.receive({ id: target.id, name: target.name }, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', name: 'Maria', text: `c${i}` })),
    );
    await waitFor('events held', () => budget.bytes > 0);
    await raw.close();
    await waitFor('the held memory given back', () => budget.bytes === 0);
  });
});
