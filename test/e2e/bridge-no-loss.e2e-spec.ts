/**
 * SPEC section 9's central guarantee under faults: thousands of inbound WhatsApp messages while the
 * bridge connection is cut at random points (from the bridge, from the service, in the middle of
 * the TCP stream, and by a failing event handler), and the service restarted on the same database.
 * At the end the bridge has processed every event exactly once, in seq order, with no gap.
 *
 * FUZZ_SEED=<n> replays a run.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import type { EventFrame } from '../../src/shared/protocol/channel.frames.js';
import { ChannelClient } from '../../tools/channel-client.js';
import { SandboxEngine } from '../../src/ryzeapi/engine/sandbox/sandbox.engine.js';
import { bridgeEnv, createIntegration, portOf, prng, TcpProxy, terminateFromServer, waitFor } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

const MESSAGES = 3000;
const CHUNK = 25; // messages injected concurrently; chunks one after another
const CUTS_PER_PHASE = 6;

describe('bridge channel: nothing lost under faults', () => {
  let bridge: FakeBridge;
  let db: TestDatabase;
  let t: TestApp | undefined;
  let proxy: TcpProxy | undefined;
  let client: ChannelClient | undefined;

  afterAll(async () => {
    await client?.close();
    await proxy?.stop();
    await t?.close();
    await db?.drop();
    await bridge?.stop();
  });

  it(`delivers ${MESSAGES} messages exactly once, in order, across random cuts and a restart`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const fail = (what: string) => `${what} (FUZZ_SEED=${seed})`;
    bridge = await new FakeBridge().start();
    db = await createTestDatabase();
    const env = bridgeEnv(bridge, { BRIDGE_WINDOW: '64' });
    t = await startApp(env, db);
    const target = await createIntegration(t, 'noloss');
    const ref = { id: target.id, name: target.name };
    proxy = await new TcpProxy().start(portOf(t));

    /** What the bridge processed, in processing order: seq and, for messages, their id. */
    const processed: { seq: number; messageId?: string }[] = [];
    const failedOnce = new Set<number>();
    const mustFail = 2 + Math.floor(random() * MESSAGES); // at least one handler failure, somewhere
    let handlerFailures = 0;
    client = new ChannelClient({
      url: `ws://127.0.0.1:${proxy.port}/ws/chatwoot/${target.name}`,
      token: bridge.token,
      ackEvery: 1 + Math.floor(random() * 40),
      ackDelayMs: 5,
      backoff: { initialMs: 5, maxMs: 100 },
      onEvent: async (frame: EventFrame) => {
        if (random() < 0.03) await new Promise((resolve) => setImmediate(resolve)); // some events take a while
        if ((frame.seq === mustFail || random() < 0.002) && !failedOnce.has(frame.seq)) {
          failedOnce.add(frame.seq);
          handlerFailures++;
          throw new Error('the bridge could not process this event'); // not acked: must come again
        }
        processed.push({ seq: frame.seq, messageId: frame.event === 'message.exchange' ? frame.data.message.id : undefined });
      },
    }).start();

    const cuts = { client: 0, server: 0, proxy: 0 };
    let cutAt = 0;
    const cut = async () => {
      await waitFor(fail('the bridge to reconnect before the next cut'), () => client!.connections > cutAt && client!.connected);
      cutAt = client!.connections;
      const kind = (['client', 'server', 'proxy'] as const)[Math.floor(random() * 3)];
      if (kind === 'client') client!.socket?.terminate();
      if (kind === 'server') terminateFromServer(t!, target.id);
      if (kind === 'proxy') proxy!.cutAll();
      cuts[kind]++;
    };

    /** Message id → the chunk it was injected in (chunks are sequential, so their order is known). */
    const injected = new Map<string, number>();
    const inject = async (from: number, to: number) => {
      const engine = t!.app.get(SandboxEngine);
      const chunks = Math.ceil((to - from) / CHUNK);
      const cutPoints = new Set<number>();
      while (cutPoints.size < CUTS_PER_PHASE) cutPoints.add(Math.floor(random() * chunks));
      for (let c = 0; c < chunks; c++) {
        const start = from + c * CHUNK;
        const ids = await Promise.all(
          Array.from({ length: Math.min(CHUNK, to - start) }, (_, i) =>
            engine.receive(ref, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', name: 'Maria', text: `m${start + i}` }),
          ),
        );
        ids.forEach(({ messageId }) => injected.set(messageId, start / CHUNK));
        if (cutPoints.has(c)) await cut();
      }
    };

    await inject(0, MESSAGES / 2);
    // Restart while the bridge is still working through the backlog.
    await t.close();
    t = await startApp(env, db);
    proxy.target = portOf(t);
    await inject(MESSAGES / 2, MESSAGES);

    const total = MESSAGES + 1; // instance.state "connected" is seq 1
    await waitFor(fail(`the bridge to process all ${total} events (at ${client.lastSeq})`), () => client!.lastSeq >= total, 40_000);
    await waitFor(fail('every event to be acked and deleted'), async () => {
      const listed = (await api(t!.url, target.token).get('/api/chatwoot/list/noloss')).body;
      return listed.pending_events === 0;
    });

    // Exactly once, in order, no gap: the processed seqs are 1..total.
    const seqs = processed.map((p) => p.seq);
    const firstBad = seqs.findIndex((seq, i) => seq !== i + 1);
    expect({ seed, firstBad, at: firstBad < 0 ? [] : seqs.slice(Math.max(0, firstBad - 2), firstBad + 3), count: seqs.length }).toEqual({ seed, firstBad: -1, at: [], count: total });
    // Every injected message, once, and chunk by chunk in injection order.
    const messageIds = processed.flatMap((p) => (p.messageId ? [p.messageId] : []));
    expect(new Set(messageIds).size).toBe(MESSAGES);
    expect(messageIds.every((id) => injected.has(id))).toBe(true);
    const chunkOrder = messageIds.map((id) => injected.get(id)!);
    expect(chunkOrder.every((chunk, i) => i === 0 || chunk >= chunkOrder[i - 1])).toBe(true);
    // The faults did happen: every cut hit a fresh live connection, and the handler failed at least once.
    expect(cuts.client + cuts.server + cuts.proxy).toBe(2 * CUTS_PER_PHASE);
    await waitFor(fail('a connection after the last cut'), () => client!.connections > cutAt && client!.connected);
    expect(client.connections).toBeGreaterThanOrEqual(2 * CUTS_PER_PHASE + 1);
    expect(failedOnce.has(mustFail)).toBe(true);
    expect(handlerFailures).toBe(failedOnce.size);
    // Its own timeout: 3,000 messages and a restart on the embedded database of a loaded 2-core machine.
  }, 180_000);
});
