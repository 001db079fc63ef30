import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { initAuthCreds } from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import { boom, FakeBaileysSocketFactory } from '../../../../test/support/fake-baileys.js';
import type { WhatsAppConfig } from '../../config/whatsapp-config.js';
import { BaileysSession, type SessionListener } from './baileys-session.js';
import type { StoredSession } from './database-auth-state.js';

const silent: ILogger = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const config: WhatsAppConfig = { engine: 'baileys', connectTimeoutMs: 60_000, reconnectBaseMs: 1000, reconnectMaxMs: 4000, mediaMaxBytes: 1 };

/** Reconnect policy of one session, on fake timers: backoff, its cap and reset, and when it gives up. */
describe('BaileysSession reconnects', () => {
  let factory: FakeBaileysSocketFactory;
  let listener: { [K in keyof SessionListener]: jest.Mock<any> };
  let paired: boolean;

  function newSession(): BaileysSession {
    const stored: StoredSession = {
      state: { creds: initAuthCreds(), keys: { get: async () => ({}), set: async () => undefined } },
      saveCreds: async () => undefined,
      paired: () => paired,
    };
    const session = new BaileysSession({ id: 'i1', name: 'phone' }, stored, { factory, config, logger: silent, listener, getMessage: async () => undefined });
    session.start();
    return session;
  }

  /** Closes the newest socket with a transient error and lets the session handle it. */
  async function dropConnection(session: BaileysSession, code = 408): Promise<void> {
    factory.latest.close(boom('Connection was lost', code));
    await session.idle();
  }

  /** Milliseconds until the session makes its next socket (fails past `limit`). */
  async function nextSocketAfter(limit = 120_000): Promise<number> {
    const count = factory.sockets.length;
    for (let elapsed = 0; elapsed <= limit; elapsed += 250) {
      if (factory.sockets.length > count) return elapsed;
      await jest.advanceTimersByTimeAsync(250);
    }
    return Infinity;
  }

  beforeEach(() => {
    jest.useFakeTimers();
    factory = new FakeBaileysSocketFactory();
    paired = true;
    const done = async () => undefined;
    listener = {
      opened: jest.fn(done), disconnected: jest.fn(done), loggedOut: jest.fn(done), ended: jest.fn(),
      messages: jest.fn(done), updates: jest.fn(done), receipts: jest.fn(done),
    };
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('backs off 1 s, 2 s, 4 s, then stays at the cap; an open connection resets it', async () => {
    const session = newSession();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await dropConnection(session);
      delays.push(await nextSocketAfter());
    }
    expect(delays).toEqual([1000, 2000, 4000, 4000]);
    factory.latest.open();
    await session.idle();
    expect(listener.opened).toHaveBeenCalledTimes(1);
    await dropConnection(session);
    expect(listener.disconnected).toHaveBeenCalledTimes(1);
    expect(await nextSocketAfter()).toBe(1000);
  });

  it('reconnects at once when asked to (a connect call is waiting)', async () => {
    const session = newSession();
    await dropConnection(session);
    session.reconnectNow();
    expect(factory.sockets).toHaveLength(2);
    expect(await nextSocketAfter(10_000)).toBe(Infinity); // the backoff timer was cancelled
  });

  it('gives up when nothing is paired, or when another client replaced the connection', async () => {
    paired = false;
    const unpaired = newSession();
    await dropConnection(unpaired);
    expect(listener.ended).toHaveBeenCalledTimes(1);
    expect(await nextSocketAfter()).toBe(Infinity);

    paired = true;
    const replaced = newSession();
    await dropConnection(replaced, 440);
    expect(listener.ended).toHaveBeenCalledTimes(2);
    expect(await nextSocketAfter()).toBe(Infinity);
  });

  it('stops for good when WhatsApp logs the device out', async () => {
    const session = newSession();
    await dropConnection(session, 401);
    expect(listener.loggedOut).toHaveBeenCalledTimes(1);
    expect(await nextSocketAfter()).toBe(Infinity);
  });
});
