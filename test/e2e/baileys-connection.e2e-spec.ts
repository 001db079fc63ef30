/**
 * SPEC 15 with WHATSAPP_ENGINE=baileys, driven through a fake Baileys socket (test/support/fake-baileys.ts):
 * connect answers (QR, pairing code, connected, 502), the session stored encrypted and resumed after
 * a restart, reconnects after transient closes, and the device logged out by WhatsApp or by logout.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BufferJSON } from '@whiskeysockets/baileys';
import { DataSource } from 'typeorm';
import QRCode from 'qrcode';
import { EngineEvents } from '../../src/ryzeapi/engine/engine-events.js';
import type { EngineEvent } from '../../src/ryzeapi/engine/engine.types.js';
import { TokenCipher } from '../../src/shared/crypto/token-cipher.js';
import { waitFor } from '../support/channel-helpers.js';
import { baileysEnv, boom, closeUpdate, fixture, FakeBaileysSocketFactory, pairAndOpen } from '../support/fake-baileys.js';
import { api } from '../support/http.js';
import { createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

describe('Baileys engine: connection life (SPEC 15)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let factory: FakeBaileysSocketFactory;
  let client: ReturnType<typeof api>;
  let token: string;
  let events: EngineEvent[] = [];
  const error = (message: string) => ({ success: false, error: { message } });
  const [qr1, qr2] = fixture<{ qr: string }[]>('connection-qr.json').map((u) => u.qr);

  async function start(): Promise<void> {
    factory = new FakeBaileysSocketFactory();
    t = await startApp(baileysEnv(), db, { baileysSocketFactory: factory });
    t.app.get(EngineEvents).subscribe((published) => void events.push(...published));
    if (token) client = api(t.url, token);
  }

  const states = (name: string) =>
    events.filter((e) => e.event === 'instance.state' && e.instance.name === name).map((e) => (e.data as { state: string }).state);
  const instanceId = async (name: string) => (await t.app.get(DataSource).query(`SELECT id FROM instances WHERE name = $1`, [name]))[0].id as string;
  const storedRows = async (name: string) =>
    (await t.app.get(DataSource).query(`SELECT category, key_id, value FROM whatsapp_auth_state WHERE instance_id = $1 ORDER BY category, key_id`, [
      await instanceId(name),
    ])) as { category: string; key_id: string; value: string }[];
  const connect = (name: string, query = '') => client.get(`/api/instance/connect/${name}${query}`);
  const newInstance = async (name: string) => expect((await client.post('/api/instance/new', { name })).status).toBe(201);

  beforeAll(async () => {
    db = await createTestDatabase();
    await start();
    token = await t.newAccount();
    client = api(t.url, token);
    for (const name of ['phone', 'pairing', 'unreachable', 'silent']) await newInstance(name);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('has no sandbox routes with the Baileys engine', async () => {
    const res = await client.post('/api/sandbox/receive/phone', { from: '5511999999999', text: 'Oi' });
    expect(res.status).toBe(404);
  });

  it('answers connect before pairing with the current QR, as text and as a PNG data URL', async () => {
    const pending = connect('phone');
    (await factory.socket(1)).showQr(qr1);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'QR code generated', qrCode: qr1, qrCodeBase64: expect.stringMatching(/^data:image\/png;base64,/), status: 'qr' });
    const png = Buffer.from(res.body.qrCodeBase64.split(',')[1], 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(res.body.qrCodeBase64).toBe(await QRCode.toDataURL(qr1));
  });

  it('answers the newest QR while pairing is pending, on the same socket', async () => {
    factory.latest.showQr(qr2);
    const res = await connect('phone');
    expect(res.body).toMatchObject({ status: 'qr', qrCode: qr2 });
    expect(factory.sockets).toHaveLength(1);
  });

  it('answers ?number= with a pairing code requested for that number', async () => {
    const before = factory.sockets.length;
    const pending = connect('pairing', '?number=5511912345678');
    const socket = await factory.socket(before + 1);
    socket.showQr(qr1);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Pairing code generated', pairingCode: 'ABCD1234', status: 'pairing' });
    expect(socket.pairingRequests).toEqual(['5511912345678']);
  });

  it('refuses a malformed ?number= with 400', async () => {
    const res = await connect('pairing', '?number=55-11');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error('number must be a phone number with its country code (8 to 15 digits)'));
  });

  it('refuses to send before the instance is connected: 503', async () => {
    const res = await client.post('/api/message/text/phone', { number: '5511988887777', message: 'Olá' });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(error('Instance is not connected to WhatsApp'));
  });

  it('pairs: restarts at WhatsApp’s request without a disconnected event, then connected', async () => {
    const next = await pairAndOpen(factory, factory.sockets[0]);
    expect(next.options.auth.creds.me?.id).toBe('5511912345678:7@s.whatsapp.net');
    await waitFor('instance.state connected', () => states('phone').includes('connected'));
    expect(states('phone')).toEqual(['connected']);
    const res = await connect('phone');
    expect(res.body).toEqual({ success: true, message: 'Instance connected', status: 'connected' });
    expect((await client.get('/api/instance/list')).body.data.find((i: { name: string }) => i.name === 'phone').status).toBe('connected');
  });

  it('stores credentials and keys in their own rows, each encrypted with ENCRYPTION_KEYS', async () => {
    const rows = await storedRows('phone');
    expect(rows.map((r) => `${r.category}/${r.key_id}`)).toEqual(['creds/creds', 'pre-key/1', 'pre-key/2', 'session/5511999999999.0']);
    const cipher = new TokenCipher(t.config.encryptionKeys);
    const creds = JSON.parse(cipher.decrypt(rows[0].value), BufferJSON.reviver);
    expect(creds.me.id).toBe('5511912345678:7@s.whatsapp.net');
    const noiseKey = Buffer.from(creds.noiseKey.public).toString('base64');
    for (const row of rows) {
      expect(row.value).toMatch(/^v1\.k1\./);
      expect(row.value).not.toContain('5511912345678');
      expect(row.value).not.toContain(noiseKey);
    }
  });

  it('reconnects after a transient close: disconnected, a new socket on the same session, connected', async () => {
    const before = factory.sockets.length;
    factory.latest.emit('connection.update', closeUpdate('close-transient.json'));
    await waitFor('instance.state disconnected', () => states('phone').at(-1) === 'disconnected');
    const socket = await factory.socket(before + 1);
    expect(socket.options.auth.creds.me?.id).toBe('5511912345678:7@s.whatsapp.net');
    // Not open yet, closed again: still reconnecting (backoff), still no QR.
    socket.close(boom('Connection was lost', 408));
    const third = await factory.socket(before + 2);
    third.open();
    await waitFor('connected again', () => states('phone').at(-1) === 'connected');
    expect(states('phone')).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('resumes the stored session after a restart, without a QR', async () => {
    const { noiseKey } = factory.latest.options.auth.creds;
    const preKey = (await factory.latest.options.auth.keys.get('pre-key', ['1']))['1'];
    await t.close();
    events = [];
    await start();
    const socket = await factory.socket(1); // made at start, before any connect call
    expect(Buffer.from(socket.options.auth.creds.noiseKey.public)).toEqual(Buffer.from(noiseKey.public));
    expect((await socket.options.auth.keys.get('pre-key', ['1']))['1']).toEqual(preKey);
    socket.open();
    await waitFor('instance.state connected', () => states('phone').includes('connected'));
    expect((await connect('phone')).body.status).toBe('connected');
  });

  it('when WhatsApp logs the device out: instance.state loggedout, the session deleted, a new QR on connect', async () => {
    factory.latest.emit('connection.update', closeUpdate('close-logged-out.json'));
    await waitFor('instance.state loggedout', () => states('phone').at(-1) === 'loggedout');
    expect(states('phone')).toEqual(['connected', 'loggedout']);
    await waitFor('the session deleted', async () => (await storedRows('phone')).length === 0);
    expect((await client.get('/api/instance/list')).body.data.find((i: { name: string }) => i.name === 'phone').status).toBe('disconnected');
    const before = factory.sockets.length;
    const pending = connect('phone');
    const socket = await factory.socket(before + 1);
    expect(socket.options.auth.creds.me).toBeUndefined();
    socket.showQr(qr1);
    expect((await pending).body.status).toBe('qr');
  });

  it('logout logs out at WhatsApp and deletes the session', async () => {
    const socket = await pairAndOpen(factory, factory.latest);
    await waitFor('connected', () => states('phone').at(-1) === 'connected');
    expect((await storedRows('phone')).length).toBeGreaterThan(0);
    const res = await client.delete('/api/instance/logout/phone');
    expect(res.status).toBe(200);
    expect(socket.loggedOut).toBe(true);
    expect(await storedRows('phone')).toEqual([]);
    expect(states('phone').at(-1)).toBe('loggedout');
    expect(await client.post('/api/message/text/phone', { number: '5511988887777', message: 'Olá' })).toMatchObject({ status: 503 });
  });

  it('deleting an instance logs its device out at WhatsApp and ends its session', async () => {
    await newInstance('doomed');
    const before = factory.sockets.length;
    const pending = connect('doomed');
    const socket = await pairAndOpen(factory, await factory.socket(before + 1));
    expect((await pending).body.status).toBe('connected');
    const res = await client.delete('/api/instance/delete/doomed');
    expect(res.status).toBe(200);
    expect(socket.loggedOut).toBe(true);
    expect(await t.app.get(DataSource).query(`SELECT 1 FROM whatsapp_auth_state s LEFT JOIN instances i ON i.id = s.instance_id WHERE i.id IS NULL`)).toEqual([]);
  });

  it('answers 502 when WhatsApp closes the socket before a QR, and stays up', async () => {
    const before = factory.sockets.length;
    const pending = connect('unreachable');
    (await factory.socket(before + 1)).close(boom('WebSocket Error (connect ECONNREFUSED 127.0.0.1:9)', 500));
    const res = await pending;
    expect(res.status).toBe(502);
    expect(res.body).toEqual(error('could not reach WhatsApp. Detail: WebSocket Error (connect ECONNREFUSED 127.0.0.1:9)'));
    expect((await client.get('/health')).status).toBe(200);
  });

  it('answers 502 when WhatsApp does not answer within WHATSAPP_CONNECT_TIMEOUT_MS', async () => {
    const res = await connect('silent');
    expect(res.status).toBe(502);
    expect(res.body).toEqual(error('could not reach WhatsApp. Detail: no answer from WhatsApp within 3000 ms'));
  });

  it('starts with a session it cannot decrypt (its key gone), and says so on connect', async () => {
    expect((await storedRows('pairing')).length).toBe(1); // credentials stored when the pairing code was asked for
    await t.close();
    t = await startApp(baileysEnv({ ENCRYPTION_KEYS: `k2:${Buffer.alloc(32, 9).toString('base64')}` }), db, { baileysSocketFactory: factory });
    client = api(t.url, token);
    expect((await client.get('/health')).status).toBe(200);
    const res = await connect('pairing');
    expect(res.status).toBe(500);
    expect(res.body.error.message).toBe(
      'the stored WhatsApp session cannot be decrypted (stored token cannot be decrypted: key "k1" is not in ENCRYPTION_KEYS): ' +
        'put its key back in ENCRYPTION_KEYS, or log the instance out to pair it again',
    );
    expect((await client.delete('/api/instance/logout/pairing')).status).toBe(200);
    expect(await storedRows('pairing')).toEqual([]);
  });
});
