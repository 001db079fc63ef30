/**
 * How the bridge channel's WebSocket adapter routes upgrades: `/ws/chatwoot/:instance` with its
 * segment decoded and any query string ignored; any other path, and a handshake that arrives once
 * shutdown has begun, refused as plain HTTP with the standard error envelope.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BridgeHandshake } from '../../src/ryzeapi/chatwoot/channel/bridge.handshake.js';
import { bridgeEnv, createIntegration, openRaw, upgradeRefusal, type RawBridge } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

describe('bridge channel upgrade routing', () => {
  let bridge: FakeBridge;
  let db: TestDatabase;
  let t: TestApp | undefined;
  const sockets: RawBridge[] = [];
  const bearer = () => ({ authorization: `Bearer ${bridge.token}` });

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
    db = await createTestDatabase();
    t = await startApp(bridgeEnv(bridge), db);
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await db?.drop();
    await bridge?.stop();
  });

  it('answers 404 "route not found" in the envelope to an upgrade on any other path, with or without the token', async () => {
    for (const path of ['/ws/chatwoot', '/ws/chatwoot/', '/ws/chatwoot/a/b', '/ws/other/a', '/api/chatwoot/list/a']) {
      for (const headers of [bearer(), {}]) {
        const refusal = await upgradeRefusal(`${t!.wsUrl}${path}`, headers);
        expect([path, refusal.status, JSON.parse(refusal.body)]).toEqual([path, 404, { success: false, error: { message: 'route not found' } }]);
      }
    }
  });

  it('routes an encoded instance name, a trailing slash and a query string to the instance', async () => {
    const target = await createIntegration(t!, 'up-route');
    for (const url of [`${t!.wsUrl}/ws/chatwoot/%75p-route`, `${t!.wsUrl}/ws/chatwoot/up-route/`, `${t!.wsUrl}/ws/chatwoot/up-route?x=1`]) {
      const raw = await openRaw({ ...target, channelUrl: url }, bridge.token, sockets);
      expect(raw.frames[0]).toMatchObject({ type: 'hello', instance: 'up-route' });
      await raw.close();
    }
  });

  it('refuses with 503 a handshake that passed the token and lookup once shutdown has begun', async () => {
    const target = await createIntegration(t!, 'up-stopping');
    t!.app.get(BridgeHandshake).beforeApplicationShutdown();
    const refusal = await upgradeRefusal(target.channelUrl, bearer());
    expect([refusal.status, JSON.parse(refusal.body)]).toEqual([503, { success: false, error: { message: 'server shutting down' } }]);
    // The token is still checked first.
    expect((await upgradeRefusal(target.channelUrl)).status).toBe(401);
  });
});
