/**
 * SPEC section 9, frame by frame: handshake, hello, events, acks, redelivery, window, replacement,
 * deletion, size limit, malformed frames, heartbeat, ignoreGroups, list fields, retention, restart
 * and shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { EventFrame } from '../../src/shared/protocol/channel.frames.js';
import { ChannelClient } from '../../tools/channel-client.js';
import { ChannelHub } from '../../src/ryzeapi/chatwoot/channel/channel.hub.js';
import { OutboxRetention } from '../../src/ryzeapi/chatwoot/channel/outbox.retention.js';
import { SandboxEngine } from '../../src/ryzeapi/engine/sandbox/sandbox.engine.js';
import { EngineEvents } from '../../src/ryzeapi/engine/engine-events.js';
import { bridgeEnv, createIntegration, RawBridge, sleep, upgradeRefusal, waitFor, within, type Integration } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

const WINDOW = 5;
const MAX_FRAME = 4096;

/** One database for the file: the second block restarts the service on it with other settings. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('bridge channel (SPEC 9)', () => {
  let bridge: FakeBridge;
  let t: TestApp;
  let token: string;
  const sockets: RawBridge[] = [];
  const clients: ChannelClient[] = [];

  const open = async (target: Integration, options = {}) => {
    const raw = new RawBridge(target.channelUrl, bridge.token, options);
    sockets.push(raw);
    await within(`the ${target.name} socket to open`, raw.opened);
    return raw;
  };
  const receive = (target: Integration, text: string, extra: Record<string, unknown> = {}) =>
    api(t.url, target.token).post(`/api/sandbox/receive/${target.name}`, { from: '5511999999999', name: 'Maria', text, ...extra });
  const pendingRows = async (target: Integration) =>
    Number((await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM chatwoot_events WHERE instance_id = $1`, [target.id]))[0].n);
  const list = async (target: Integration) => (await api(t.url, target.token).get(`/api/chatwoot/list/${target.name}`)).body;
  /** A round trip: once its error frame is back, the service has handled every frame sent before it. */
  const probe = async (raw: RawBridge) => {
    raw.send({ type: 'probe' });
    await raw.next('the probe error frame', (f) => f.type === 'error' && f.message.includes('"probe"'));
  };
  const integration = (name: string, options: Parameters<typeof createIntegration>[2] = {}) => createIntegration(t, name, { token, ...options });

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
    t = await startApp(bridgeEnv(bridge, { BRIDGE_WINDOW: String(WINDOW), BRIDGE_MAX_FRAME_BYTES: String(MAX_FRAME) }), db);
    token = await t.newAccount();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await bridge?.stop();
  });

  describe('handshake', () => {
    it('answers 401 before the upgrade without the bridge token, and 404 for an unknown instance or one without integration', async () => {
      const target = await integration('hs-ok');
      const bare = await api(t.url, token).post('/api/instance/new', { name: 'hs-plain' });
      expect(bare.status).toBe(201);

      const missing = await upgradeRefusal(target.channelUrl);
      expect(missing.status).toBe(401);
      expect(JSON.parse(missing.body)).toEqual({ success: false, error: { message: expect.any(String) } });
      expect((await upgradeRefusal(target.channelUrl, { authorization: 'Bearer wrong-token' })).status).toBe(401);
      expect((await upgradeRefusal(target.channelUrl, { authorization: bridge.token })).status).toBe(401);
      expect((await upgradeRefusal(target.channelUrl, { token: bridge.token })).status).toBe(401);

      const unknown = await upgradeRefusal(`${t.wsUrl}/ws/chatwoot/no-such-instance`, { authorization: `Bearer ${bridge.token}` });
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.body).error.message).toBe('instance not found');
      const noIntegration = await upgradeRefusal(`${t.wsUrl}/ws/chatwoot/hs-plain`, { authorization: `Bearer ${bridge.token}` });
      expect(noIntegration.status).toBe(404);
      expect(JSON.parse(noIntegration.body).error.message).toBe('no chatwoot integration for this instance');
      // 401 comes first, so an unauthenticated caller cannot probe instance names.
      expect((await upgradeRefusal(`${t.wsUrl}/ws/chatwoot/no-such-instance`)).status).toBe(401);

      const raw = await open(target);
      await raw.next('hello', (f) => f.type === 'hello');
    });

    it('sends hello first, with the instance, integration id, cursor and heartbeat', async () => {
      const target = await integration('hello-1');
      const raw = await open(target);
      const hello = await raw.next('hello');
      const listed = await list(target);
      expect(hello).toEqual({
        type: 'hello',
        instance: 'hello-1',
        integration_id: listed.bridge_integration_id,
        last_acked_seq: 0,
        heartbeat_ms: t.config.channel.heartbeatMs,
      });
      expect(raw.frames[0]).toBe(hello);
    });
  });

  describe('events', () => {
    it('streams each WhatsApp event with seq, data and instanceData, in order', async () => {
      const target = await integration('ev-1');
      const raw = await open(target);
      await raw.next('hello');
      const state = await raw.next('instance.state event', (f) => f.type === 'event');
      expect(state).toEqual({
        type: 'event', seq: 1, event: 'instance.state', data: { state: 'connected' },
        instanceData: { baseUrl: t.config.baseUrl, instance: 'ev-1' },
      });
      const received = await receive(target, 'Oi');
      expect(received.status).toBe(201);
      const exchange = await raw.next('message.exchange', (f) => f.type === 'event');
      expect(exchange).toEqual({
        type: 'event', seq: 2, event: 'message.exchange',
        data: {
          message: {
            id: received.body.message_id, direction: 'incoming', timestamp: expect.any(Number),
            chat: { jid: '5511999999999@s.whatsapp.net', name: 'Maria', type: 'private' },
            sender: { jid: '5511999999999@s.whatsapp.net', name: 'Maria' },
            content: { text: 'Oi' },
          },
          source: 'whatsapp',
        },
        instanceData: { baseUrl: t.config.baseUrl, instance: 'ev-1' },
      });
      raw.send({ type: 'ack', seq: 2 });

      const sent = await api(t.url, target.token).post('/api/message/text/ev-1', { number: '5511888888888', message: 'from the API' });
      expect(sent.status).toBe(201);
      const out = await raw.next('outgoing message.exchange', (f) => f.type === 'event');
      expect(out).toMatchObject({ seq: 3, event: 'message.exchange', data: { message: { id: sent.body.message_id, direction: 'outgoing', content: { text: 'from the API' } }, source: 'api' } });
      const statuses = [await raw.next('status sent', (f) => f.type === 'event'), await raw.next('status delivered', (f) => f.type === 'event')];
      expect(statuses.map((s) => [s.seq, s.event, s.data.status])).toEqual([[4, 'message.status', 'sent'], [5, 'message.status', 'delivered']]);
      expect(statuses[0].data).toEqual({ message_id: sent.body.message_id, chat_jid: '5511888888888@s.whatsapp.net', status: 'sent', timestamp: expect.any(Number) });
    });

    it('delivers stored and live events as one gap-free sequence', async () => {
      const target = await integration('ev-order', { settings: {} });
      for (let i = 0; i < 12; i++) expect((await receive(target, `stored ${i}`)).status).toBe(201);
      const raw = await open(target);
      const texts: string[] = [];
      let acked = 0;
      const consume = async (count: number) => {
        for (let i = 0; i < count; i++) {
          const e = await raw.next(`event #${texts.length + 1}`, (f) => f.type === 'event');
          expect(e.seq).toBe(texts.length + 1);
          // The window: never more than WINDOW events beyond the last ack the bridge sent.
          expect(e.seq - acked).toBeLessThanOrEqual(WINDOW);
          texts.push(e.event === 'message.exchange' ? e.data.message.content.text : e.event);
          raw.send({ type: 'ack', seq: e.seq });
          acked = e.seq;
        }
      };
      await consume(6);
      const live = (async () => {
        for (let i = 0; i < 12; i++) expect((await receive(target, `live ${i}`)).status).toBe(201);
      })();
      await consume(19);
      await live;
      expect(texts).toEqual(['instance.state', ...Array.from({ length: 12 }, (_, i) => `stored ${i}`), ...Array.from({ length: 12 }, (_, i) => `live ${i}`)]);
    });

    it.each(['read back', 'from memory'])('delivers events with characters jsonb cannot hold (as U+FFFD), and the events stored with them (%s)', async (path) => {
      const target = await integration(`ev-unstorable-${path.replace(' ', '-')}`);
      const events = t.app.get(EngineEvents);
      const instance = { id: target.id, name: target.name };
      const texts = ['before', 'lone \ud800 surrogate', 'nul \u0000 inside', 'written \\u0000 as text', 'control \u0001 kept', 'pair \ud83d\ude00 kept', 'after'];
      const live = path === 'from memory' ? await open(target) : undefined;
      const jid = '5511999999999@s.whatsapp.net';
      const message = (text: string, i: number) => ({
        message: { id: `3EB0UNSTORABLE${i}`, direction: 'incoming' as const, timestamp: 1_760_000_000, chat: { jid, name: 'Maria', type: 'private' as const }, sender: { jid, name: 'Maria' }, content: { text } },
        source: 'whatsapp' as const,
      });
      // Published as an engine would (the sandbox refuses NUL up front), and concurrently: they are
      // stored in one batch, which a refused event would sink entirely.
      await Promise.all(texts.map((text, i) => events.publish({ instance, event: 'message.exchange', data: message(text, i) })));
      const raw = live ?? (await open(target));
      await raw.next('event 5 (a full window)', (f) => f.seq === 5);
      raw.send({ type: 'ack', seq: 5 });
      await raw.next('event 8', (f) => f.seq === 8);
      expect(raw.events.slice(1).map((e) => e.data.message.content.text).sort()).toEqual(
        ['before', 'lone \ufffd surrogate', 'nul \ufffd inside', 'written \\u0000 as text', 'control \u0001 kept', 'pair \ud83d\ude00 kept', 'after'].sort(),
      );
    });

    it('keeps at most the window unacked and resumes as acks arrive', async () => {
      const target = await integration('ev-window');
      for (let i = 0; i < 11; i++) expect((await receive(target, `w${i}`)).status).toBe(201);
      // 12 events stored (instance.state + 11 messages); the bridge connects and acks nothing.
      const raw = await open(target);
      await raw.next('event 5', (f) => f.seq === WINDOW);
      await probe(raw);
      expect(raw.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      // A live event while the window is full is not sent either.
      expect((await receive(target, 'live while full')).status).toBe(201);
      await probe(raw);
      expect(raw.events).toHaveLength(WINDOW);

      raw.send({ type: 'ack', seq: 2 });
      await raw.next('event 7', (f) => f.seq === 7);
      await probe(raw);
      expect(raw.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      raw.send({ type: 'ack', seq: 7 });
      await raw.next('event 12', (f) => f.seq === 12);
      raw.send({ type: 'ack', seq: 12 });
      const last = await raw.next('event 13', (f) => f.seq === 13);
      expect(last.data.message.content.text).toBe('live while full');
      await probe(raw);
      expect(raw.events.map((e) => e.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    });
  });

  describe('acks and redelivery', () => {
    it('treats ack as cumulative and deletes what it covers; ignores old acks; rejects acks beyond what was sent', async () => {
      const target = await integration('ack-1');
      for (let i = 0; i < 4; i++) await receive(target, `a${i}`);
      expect(await pendingRows(target)).toBe(5);
      const raw = await open(target);
      await raw.next('event 5', (f) => f.seq === 5);
      raw.send({ type: 'ack', seq: 3 });
      await waitFor('the ack of 3 to delete 3 events', async () => (await pendingRows(target)) === 2);
      raw.send({ type: 'ack', seq: 1 });
      await probe(raw);
      expect(raw.frames.filter((f) => f.type === 'error')).toHaveLength(1); // the probe's only
      raw.send({ type: 'ack', seq: 9 });
      const beyond = await raw.next('error for an ack beyond the last event', (f) => f.type === 'error');
      expect(beyond.message).toMatch(/^invalid frame: ack\.seq 9 is beyond the last event sent \(5\)/);
      expect(await pendingRows(target)).toBe(2);
      raw.send({ type: 'ack', seq: 5 });
      await waitFor('the ack of 5 to empty the outbox', async () => (await pendingRows(target)) === 0);
      expect(raw.open).toBe(true);
    });

    it('redelivers from last_acked_seq + 1 on the next connection', async () => {
      const target = await integration('redeliver');
      for (let i = 0; i < 5; i++) await receive(target, `r${i}`);
      const first = await open(target);
      await first.next('event 5 (the window is 5)', (f) => f.seq === 5);
      first.send({ type: 'ack', seq: 3 });
      await probe(first);
      first.ws.terminate(); // no close handshake: a cut connection
      await first.closed;

      const second = await open(target);
      const hello = await second.next('hello');
      expect(hello.last_acked_seq).toBe(3);
      await second.next('event 6', (f) => f.seq === 6);
      expect(second.events.map((e) => e.seq)).toEqual([4, 5, 6]);
      expect(second.events.map((e) => e.data.message.content.text)).toEqual(['r2', 'r3', 'r4']);
      await receive(target, 'new');
      expect((await second.next('event 7', (f) => f.type === 'event' && f.seq > 6)).data.message.content.text).toBe('new');
    });

    // PostgreSQL only: a row lock held from outside keeps the ack write pending (PGlite runs one query at a time).
    (process.env.TEST_DATABASE_URL ? it : it.skip)('reports in hello an ack of the previous socket that is still being written', async () => {
      const target = await integration('redeliver-slow-ack');
      for (let i = 0; i < 3; i++) await receive(target, `s${i}`);
      const first = await open(target);
      await first.next('event 4', (f) => f.seq === 4);
      const locker = new pg.Client({ connectionString: t.config.databaseUrl });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('SELECT 1 FROM chatwoot_integrations WHERE instance_id = $1 FOR UPDATE', [target.id]);
        first.send({ type: 'ack', seq: 3 });
        await probe(first); // the ack is taken; its write waits for the lock
        first.ws.terminate();
        const second = new RawBridge(target.channelUrl, bridge.token);
        sockets.push(second);
        await sleep(300); // lets a handshake that does not wait for the write read a stale cursor
        await locker.query('COMMIT');
        expect(await second.next('hello')).toMatchObject({ last_acked_seq: 3 });
        await second.next('event 4', (f) => f.seq === 4);
        expect(second.events.map((e) => e.seq)).toEqual([4]);
      } finally {
        await locker.end();
      }
    });

    it('reports bridge_connected and pending_events in GET /api/chatwoot/list', async () => {
      const target = await integration('listed');
      await receive(target, 'l1');
      expect(await list(target)).toMatchObject({ bridge_connected: false, pending_events: 2 });
      const raw = await open(target);
      await raw.next('event 2', (f) => f.seq === 2);
      expect(await list(target)).toMatchObject({ bridge_connected: true, pending_events: 2 });
      raw.send({ type: 'ack', seq: 2 });
      await waitFor('pending_events 0 after the ack', async () => (await list(target)).pending_events === 0);
      await raw.close();
      await waitFor('bridge_connected false after the close', async () => (await list(target)).bridge_connected === false);
    });
  });

  describe('one socket per instance', () => {
    it('closes the older socket with 4409 when a new one connects; the new one carries on', async () => {
      const target = await integration('replace');
      const older = await open(target);
      await older.next('event 1', (f) => f.seq === 1);
      const newer = await open(target);
      expect(await within('the older socket to close', older.closed)).toEqual({ code: 4409, reason: 'replaced by a newer connection' });
      expect((await newer.next('hello')).last_acked_seq).toBe(0);
      await newer.next('event 1 again (never acked)', (f) => f.seq === 1);
      await receive(target, 'after replace');
      expect((await newer.next('event 2', (f) => f.seq === 2)).data.message.content.text).toBe('after replace');
      expect(older.events.map((e) => e.seq)).toEqual([1]);
      expect(await list(target)).toMatchObject({ bridge_connected: true });
    });

    it('the reference client stops on 4409 instead of reconnecting', async () => {
      const target = await integration('replace-client');
      const seen: number[] = [];
      const client = new ChannelClient({ url: target.channelUrl, token: bridge.token, onEvent: (f) => void seen.push(f.seq), backoff: { initialMs: 20 } }).start();
      clients.push(client);
      await waitFor('the client to process event 1', () => seen.length === 1);
      const newer = await open(target);
      await newer.next('hello');
      expect(await within('the client to stop', client.stoppedWith)).toEqual({ code: 4409, reason: 'replaced by a newer connection' });
      await probe(newer); // still the live one
      expect(client.connections).toBe(1);
      await expect(client.send({ id: 'x', to: '5511999999999', text: 'no' })).rejects.toThrow(/stopped/);
    });

    it('closes the socket with 4410 when the integration is deleted, then refuses with 404', async () => {
      const target = await integration('deleted');
      const other = await integration('deleted-neighbour');
      const neighbour = await open(other);
      await neighbour.next('hello');
      const client = new ChannelClient({ url: target.channelUrl, token: bridge.token, onEvent: () => undefined, backoff: { initialMs: 20 } }).start();
      clients.push(client);
      await waitFor('the client to connect', () => client.connected);
      expect((await api(t.url, target.token).delete('/api/chatwoot/delete/deleted')).status).toBe(200);
      expect(await within('the client to stop', client.stoppedWith)).toEqual({ code: 4410, reason: 'integration deleted' });
      expect((await upgradeRefusal(target.channelUrl, { authorization: `Bearer ${bridge.token}` })).status).toBe(404);
      expect(await pendingRows(target)).toBe(0);
      await probe(neighbour);
    });
  });

  describe('frame rules', () => {
    it('closes a socket that sends a frame over the size limit with 1009, and only that socket', async () => {
      const target = await integration('big');
      const other = await integration('big-neighbour');
      const raw = await open(target);
      const neighbour = await open(other);
      await raw.next('hello');
      await neighbour.next('hello');
      raw.send({ type: 'send', id: 'big', to: '5511999999999', text: 'x'.repeat(MAX_FRAME) });
      expect((await within('the oversize sender to be closed', raw.closed)).code).toBe(1009);
      await probe(neighbour);
      // A frame just under the limit is fine.
      const again = await open(target);
      await again.next('hello');
      again.send({ type: 'send', id: 'fits', to: '5511999999999', text: 'x'.repeat(MAX_FRAME - 200) });
      expect(await again.next('result', (f) => f.type === 'result')).toMatchObject({ id: 'fits', ok: true });
    });

    it('answers malformed frames with an error frame and keeps the socket open', async () => {
      const target = await integration('malformed');
      const raw = await open(target);
      await raw.next('event 1', (f) => f.seq === 1);
      const cases: [unknown, RegExp][] = [
        ['not json', /^invalid frame: not valid JSON$/],
        ['[1,2]', /^invalid frame: expected a JSON object$/],
        ['"ack"', /^invalid frame: expected a JSON object$/],
        ['null', /^invalid frame: expected a JSON object$/],
        [{ seq: 1 }, /^invalid frame: type is required$/],
        [{ type: 42 }, /^invalid frame: type is required$/],
        [{ type: 'hello' }, /^invalid frame: unknown type "hello"$/],
        [{ type: 'ack' }, /^invalid frame: ack\.seq must be a non-negative integer$/],
        [{ type: 'ack', seq: '1' }, /^invalid frame: ack\.seq must be a non-negative integer$/],
        [{ type: 'ack', seq: -1 }, /^invalid frame: ack\.seq must be a non-negative integer$/],
        [{ type: 'ack', seq: 1.5 }, /^invalid frame: ack\.seq must be a non-negative integer$/],
        [{ type: 'send', to: '5511999999999', text: 'no id' }, /^invalid frame: send\.id must be a string/],
        [{ type: 'send', id: 7, to: '5511999999999', text: 'numeric id' }, /^invalid frame: send\.id must be a string/],
        [Buffer.from([1, 2, 3]), /^invalid frame: binary frames are not accepted/],
      ];
      for (const [frame, message] of cases) {
        raw.send(frame);
        const error = await raw.next(`error frame for ${String(frame)}`, (f) => f.type === 'error');
        expect({ frame, message: error.message }).toEqual({ frame, message: expect.stringMatching(message) });
      }
      // A send with an id but bad fields gets a failed result for that id rather than an error frame.
      const badSends: [Record<string, unknown>, RegExp][] = [
        [{ to: 'not-a-number', text: 'x' }, /send\.to/],
        [{ to: '5511999999999' }, /send needs text or media/],
        [{ to: '5511999999999', text: '' }, /send\.text/],
        [{ to: '5511999999999', text: 5 }, /send\.text/],
        [{ to: '5511999999999', text: 'x', sender_name: {} }, /send\.sender_name/],
        [{ to: '5511999999999', text: 'nul \u0000 inside' }, /^invalid frame: send\.text contains a NUL character or an unpaired surrogate$/],
        [{ to: '5511999999999', text: 'x', sender_name: 'half \ud83d' }, /send\.sender_name contains a NUL character or an unpaired surrogate/],
        [{ to: '5511999999999', media: { type: 'sticker', url: 'https://x.test/a' } }, /send\.media\.type/],
        [{ to: '5511999999999', media: { type: 'image', url: 'ftp://x.test/a' } }, /send\.media\.url/],
        [{ to: '5511999999999', media: { type: 'image', url: 'https://x.test/a', mimetype: 'x'.repeat(256) } }, /^invalid frame: send\.media\.mimetype must be a string of at most 255 characters$/],
      ];
      for (const [i, [fields, message]] of badSends.entries()) {
        raw.send({ type: 'send', id: `bad-${i}`, ...fields });
        const result = await raw.next(`result for bad-${i}`, (f) => f.type === 'result');
        expect(result).toEqual({ type: 'result', id: `bad-${i}`, ok: false, error: expect.stringMatching(message) });
        expect(result.error).toMatch(/^invalid frame: /);
      }
      expect(raw.open).toBe(true);
      raw.send({ type: 'ack', seq: 1 });
      await receive(target, 'still here');
      expect((await raw.next('event 2', (f) => f.type === 'event')).seq).toBe(2);
      const sent = await api(t.url, target.token).get('/api/sandbox/sent/malformed');
      expect(sent.body.data).toEqual([]);
    });

    it('terminates a peer that misses a heartbeat pong and keeps one that answers', async () => {
      const mute = await integration('hb-mute');
      const lively = await integration('hb-lively');
      const silent = await open(mute, { autoPong: false });
      const healthy = await open(lively);
      await silent.next('hello');
      await healthy.next('hello');
      const pinged = new Promise((resolve) => silent.ws.once('ping', resolve));
      const hub = t.app.get(ChannelHub);
      hub.sweep();
      await within('the ping to reach the mute peer', pinged);
      await probe(healthy); // its automatic pong went out before this frame, so the service has it
      hub.sweep();
      expect((await within('the mute peer to be terminated', silent.closed)).code).toBe(1006);
      await probe(healthy);
      expect(healthy.open).toBe(true);
      await waitFor('bridge_connected false for the mute instance', async () => (await list(mute)).bridge_connected === false);
    });
  });

  describe('ignoreGroups', () => {
    it('keeps group events out of the outbox when set, and streams them otherwise', async () => {
      const ignoring = await integration('groups-off', { settings: { ignoreGroups: true } });
      const keeping = await integration('groups-on');
      const group = { jid: '120363000000000000@g.us', name: 'Time' };
      for (const target of [ignoring, keeping]) {
        expect((await receive(target, 'in the group', { group })).status).toBe(201);
        expect((await receive(target, 'private')).status).toBe(201);
      }
      const off = await open(ignoring);
      const on = await open(keeping);
      await off.next('private on groups-off', (f) => f.type === 'event' && f.data.message?.content.text === 'private');
      expect(off.events.map((e) => e.seq)).toEqual([1, 2]);
      const grouped = await on.next('group on groups-on', (f) => f.type === 'event' && f.event === 'message.exchange');
      expect(grouped.data.message.chat).toEqual({ jid: group.jid, name: 'Time', type: 'group' });
      await on.next('private on groups-on', (f) => f.type === 'event' && f.data.message?.content.text === 'private');

      // Sending to a group through the bridge: the echo and its statuses are group events too.
      off.send({ type: 'send', id: 'to-group', to: group.jid, text: 'hello group' });
      expect(await off.next('result', (f) => f.type === 'result')).toMatchObject({ ok: true });
      await receive(ignoring, 'private again');
      const next = await off.next('the next event', (f) => f.type === 'event' && f.seq > 2);
      expect(next).toMatchObject({ seq: 3, data: { message: { content: { text: 'private again' } } } });
    });
  });
});

describe('bridge channel across restarts, retention and shutdown', () => {
  let bridge: FakeBridge;
  let t: TestApp | undefined;
  const sockets: RawBridge[] = [];
  const env = () => bridgeEnv(bridge, { BRIDGE_RETENTION_MAX_EVENTS: '3' });

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await bridge?.stop();
  });

  it('keeps seq and unacked events across a restart, closing sockets with 1001 on shutdown', async () => {
    t = await startApp(env(), db);
    const target = await createIntegration(t, 'durable');
    const engine = t.app.get(SandboxEngine);
    const ref = { id: target.id, name: target.name };
    for (let i = 0; i < 2; i++) await engine.receive(ref, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', text: `before ${i}` });
    const raw = new RawBridge(target.channelUrl, bridge.token);
    sockets.push(raw);
    await raw.next('event 3', (f) => f.seq === 3);
    raw.send({ type: 'ack', seq: 2 });
    await waitFor('the ack to be stored', async () => (await t!.app.get(DataSource).query(`SELECT last_acked_seq FROM chatwoot_integrations WHERE instance_id = $1`, [target.id]))[0].last_acked_seq == 2);

    await t.close();
    t = undefined;
    expect(await within('the socket to close on shutdown', raw.closed)).toEqual({ code: 1001, reason: 'server shutting down' });

    t = await startApp(env(), db);
    const again = new RawBridge(`${t.wsUrl}/ws/chatwoot/durable`, bridge.token);
    sockets.push(again);
    expect(await again.next('hello')).toMatchObject({ last_acked_seq: 2 });
    const redelivered = await again.next('event 3', (f) => f.type === 'event');
    expect(redelivered).toMatchObject({ seq: 3, data: { message: { content: { text: 'before 1' } } } });
    await t.app.get(SandboxEngine).receive(ref, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', text: 'after' });
    expect(await again.next('event 4', (f) => f.type === 'event')).toMatchObject({ seq: 4, data: { message: { content: { text: 'after' } } } });
    await again.close();
  });

  it('drops unacked events beyond the retention limit and counts them', async () => {
    const target = await createIntegration(t!, 'retained', { token: await t!.newAccount() });
    const engine = t!.app.get(SandboxEngine);
    for (let i = 0; i < 7; i++) await engine.receive({ id: target.id, name: target.name }, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', text: `m${i}` });
    // 8 events (instance.state + 7), limit 3: the 5 oldest go ('durable' holds 2 unacked: kept; the
    // instances of the first block, on the same database, lose their excess too).
    expect(await t!.app.get(OutboxRetention).run()).toBeGreaterThanOrEqual(5);
    const listed = (await api(t!.url, target.token).get('/api/chatwoot/list/retained')).body;
    expect(listed).toMatchObject({ pending_events: 3, dropped_events: 5 });
    const raw = new RawBridge(target.channelUrl, bridge.token);
    sockets.push(raw);
    await raw.next('event 8', (f) => f.seq === 8);
    expect(raw.events.map((e: EventFrame) => e.seq)).toEqual([6, 7, 8]);
    expect(await t!.app.get(OutboxRetention).run()).toBe(0);
  });
});
