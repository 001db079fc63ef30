/**
 * Backpressure on the service's own frames (issue 12, point 6): a bridge that stops reading must
 * not make the service buffer without bound. Past BRIDGE_MAX_BUFFERED_BYTES of unsent data the
 * socket is no longer read and gets no more events; one that stays stuck is closed with 1008.
 * The clients below are real ws clients whose socket is paused (they read nothing).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { OutboxEventsRepository } from '../../src/ryzeapi/chatwoot/channel/outbox-events.repository.js';
import { SandboxEngine } from '../../src/ryzeapi/engine/sandbox/sandbox.engine.js';
import { bridgeEnv, createIntegration, openRaw, RawBridge, serverSocket, waitFor, within } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { capturedLogs, startApp, type TestApp } from '../support/test-app.js';

const BOUND = 64 * 1024; // the smallest bound allowed, so that a little traffic passes it
/**
 * What may be buffered past the bound: frames the socket had already read when it was paused are
 * still answered (one 64 KiB read of 7-byte invalid frames, each answered with an error frame of
 * about 100 bytes), or one event frame.
 */
const SLACK = 2 * 1024 * 1024;

describe('bridge channel backpressure (issue 12.6)', () => {
  let bridge: FakeBridge;
  let t: TestApp | undefined;
  const sockets: RawBridge[] = [];
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
  });
  afterEach(async () => {
    clearInterval(sampler);
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await t?.close();
    t = undefined;
  });
  afterAll(async () => {
    await bridge?.stop();
  });

  /** Samples the service's unsent bytes on the instance's socket; returns the highest seen so far. */
  const watchBuffered = (instanceId: string) => {
    let max = 0;
    sampler = setInterval(() => (max = Math.max(max, serverSocket(t!, instanceId)?.bufferedAmount ?? 0)), 2);
    return () => max;
  };

  it('a client flooding invalid frames without reading is paused, then closed with 1008 and a log line', async () => {
    t = await startApp(bridgeEnv(bridge, { BRIDGE_MAX_BUFFERED_BYTES: String(BOUND), BRIDGE_STALL_TIMEOUT_MS: '500' }));
    const target = await createIntegration(t, 'flooder');
    const raw = await openRaw(target, bridge.token, sockets);
    const server = serverSocket(t, target.id)!;
    const maxBuffered = watchBuffered(target.id);
    raw.ws.pause();
    for (let i = 0; i < 200_000; i++) raw.ws.send('x');

    await waitFor('the service to stop reading the socket', () => server.isPaused, 30_000);
    await waitFor('the stalled socket to be closed', () => server.readyState !== server.OPEN, 30_000);
    const line = capturedLogs.find((l) => l.includes('not reading its frames'));
    expect(line && JSON.parse(line)).toMatchObject({ instance: 'flooder', level: 40 });
    expect(maxBuffered()).toBeLessThanOrEqual(BOUND + SLACK);

    // Once it reads again, it gets what was queued for it and then the close frame.
    raw.ws.resume();
    expect(await within('the close', raw.closed, 30_000)).toEqual({ code: 1008, reason: 'not reading its frames' });
    expect(raw.frames.filter((f) => f.type === 'error').length).toBeLessThan(200_000);
  });

  it('events wait while the client does not read, and all come in order once it reads again', async () => {
    t = await startApp(bridgeEnv(bridge, { BRIDGE_MAX_BUFFERED_BYTES: String(BOUND), BRIDGE_STALL_TIMEOUT_MS: '600000' }));
    const target = await createIntegration(t, 'sleeper');
    const raw = await openRaw(target, bridge.token, sockets);
    await raw.next('the connected state event', (f) => f.type === 'event');
    const server = serverSocket(t, target.id)!;
    const maxBuffered = watchBuffered(target.id);
    raw.ws.pause();

    const engine = t.app.get(SandboxEngine);
    const ref = { id: target.id, name: target.name };
    const MESSAGES = 400;
    const text = 'y'.repeat(32 * 1024); // 400 x 32 KiB: far more than the kernel's socket buffers hold
    for (let start = 0; start < MESSAGES; start += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          engine.receive(ref, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', text: `${start + i} ${text}` }),
        ),
      );
    }
    await waitFor('the events to be stored', async () => (await t!.app.get(OutboxEventsRepository).pending(target.id)) >= MESSAGES);
    expect(maxBuffered()).toBeLessThanOrEqual(BOUND + SLACK);
    await waitFor('the service to hold the socket', () => server.isPaused, 30_000);
    expect(server.readyState).toBe(server.OPEN);

    raw.ws.resume();
    await waitFor('every event', () => raw.events.length >= MESSAGES + 1, 60_000);
    expect(raw.events.map((f) => f.seq)).toEqual(Array.from({ length: MESSAGES + 1 }, (_, i) => i + 1));
    // Messages injected together are stored in whatever order they got there: each one, once.
    expect(raw.events.slice(1).map((f) => Number(f.data.message.content.text.split(' ')[0])).sort((a, b) => a - b)).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => i),
    );
    await waitFor('the service to read the socket again', () => !server.isPaused);
  });
});
