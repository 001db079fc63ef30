/**
 * SPEC 15 with WHATSAPP_ENGINE=baileys: recorded Baileys message and receipt shapes
 * (test/fixtures/baileys) become the bridge channel's events (SPEC 9), each once, also across a
 * restart; sends over REST and over the channel go through the socket (quoted replies, media,
 * "not on WhatsApp").
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EngineEvents } from '../../src/ryzeapi/engine/engine-events.js';
import type { EngineEvent } from '../../src/ryzeapi/engine/engine.types.js';
import { bridgeEnv, createIntegration, openRaw, waitFor, type Integration, type RawBridge } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { baileysEnv, fixture, FakeBaileysSocketFactory, OWN_JID, pairAndOpen, toProto, type FakeBaileysSocket } from '../support/fake-baileys.js';
import { api } from '../support/http.js';
import { createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

describe('Baileys engine: messages and receipts (SPEC 9, 15)', () => {
  let bridge: FakeBridge;
  let db: TestDatabase;
  let t: TestApp;
  let factory: FakeBaileysSocketFactory;
  let phone: Integration;
  let socket: FakeBaileysSocket;
  let raw: RawBridge;
  let client: ReturnType<typeof api>;
  let events: EngineEvent[] = [];
  const sockets: RawBridge[] = [];
  const MARIA = '5511999999999@s.whatsapp.net';
  const GROUP = '120363041234567890@g.us';

  const upsert = (update: { type: string; messages: object[] }) =>
    socket.emit('messages.upsert', { ...update, messages: update.messages.map(toProto) });
  const nextEvent = (what: string, event = 'message.exchange') => raw.next(what, (f) => f.type === 'event' && f.event === event);
  const mediaUrl = (id: string) => `${t.config.baseUrl}/api/media/phone/${id}`;

  async function start(): Promise<void> {
    factory = new FakeBaileysSocketFactory();
    t = await startApp(baileysEnv(bridgeEnv(bridge)), db, { baileysSocketFactory: factory });
    t.app.get(EngineEvents).subscribe((published) => void events.push(...published));
  }

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
    db = await createTestDatabase();
    await start();
    phone = await createIntegration(t, 'phone', { connect: false });
    client = api(t.url, phone.token);
    const pending = client.get('/api/instance/connect/phone');
    socket = await pairAndOpen(factory, await factory.socket(1));
    expect((await pending).body.status).toBe('connected');
    raw = await openRaw(phone, bridge.token, sockets);
    await nextEvent('instance.state connected', 'instance.state');
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await db?.drop();
    await bridge?.stop();
  });

  it('a private text message (conversation)', async () => {
    upsert(fixture('upsert-text.json'));
    expect((await nextEvent('the text')).data).toEqual({
      message: {
        id: '3A5F0D2C7E9B41A6C8D1', direction: 'incoming', timestamp: 1764316800,
        chat: { jid: MARIA, name: 'Maria', type: 'private' },
        sender: { jid: MARIA, name: 'Maria' },
        content: { text: 'Oi, tudo bem?' },
      },
      source: 'whatsapp',
    });
  });

  it('an extended text quoting an earlier message: reply_to is its WhatsApp id', async () => {
    upsert(fixture('upsert-extended-text.json'));
    expect((await nextEvent('the reply')).data.message).toMatchObject({
      id: '3A9C11E04B7D52F3A6E8', content: { text: 'Pode ser amanhã às 10h? https://example.com/agenda' }, reply_to: '3A5F0D2C7E9B41A6C8D1',
    });
  });

  it('an image with a caption: media.url is RyzeAPI’s media route, nothing of the file in the event', async () => {
    upsert(fixture('upsert-image-caption.json'));
    const { message } = (await nextEvent('the image')).data;
    expect(message).toEqual({
      id: '3AD0B7F1A2C3E4D5F607', direction: 'incoming', timestamp: 1764316920,
      chat: { jid: MARIA, name: 'Maria', type: 'private' },
      sender: { jid: MARIA, name: 'Maria' },
      content: { text: 'Olha a foto do pedido' },
      media: { type: 'image', url: mediaUrl('3AD0B7F1A2C3E4D5F607'), mimetype: 'image/jpeg', caption: 'Olha a foto do pedido' },
    });
  });

  it('a group message: the group as chat (with its subject), the participant as sender', async () => {
    upsert(fixture('upsert-group.json'));
    const { message } = (await nextEvent('the group message')).data;
    expect(message).toMatchObject({
      id: '3EB0A1B2C3D4E5F60718',
      chat: { jid: GROUP, name: 'Time de vendas', type: 'group' },
      sender: { jid: '5511977776666@s.whatsapp.net', name: 'João' },
      content: { text: 'Bom dia, pessoal' },
    });
  });

  it('a location and a contact, as text', async () => {
    upsert(fixture('upsert-location-contact.json'));
    expect((await nextEvent('the location')).data.message.content.text).toBe(
      '📍 Av. Paulista, 1578\nBela Vista, São Paulo - SP\nhttps://maps.google.com/maps?q=-23.561684,-46.655981',
    );
    expect((await nextEvent('the contact')).data.message.content.text).toBe('👤 Carlos Silva\n+55 11 95555-4444');
  });

  it('a message WhatsApp delivers twice is one event', async () => {
    const [first, again] = fixture('upsert-duplicate.json');
    upsert(first);
    upsert(again);
    upsert(fixture('upsert-text.json')); // seen in the first test: no event either
    upsert({ type: 'notify', messages: [{ ...first.messages[0], key: { ...first.messages[0].key, id: '3AMARKER000000000001' }, message: { conversation: 'marker' } }] });
    expect((await nextEvent('the first copy')).data.message.id).toBe('3AF00DBA5E1234567890');
    expect((await nextEvent('the marker')).data.message.content.text).toBe('marker');
  });

  it('receipts of our own messages become message.status, each status once; others are ignored', async () => {
    socket.emit('messages.update', fixture('update-receipts.json'));
    socket.emit('message-receipt.update', fixture('receipt-group.json'));
    const statuses: any[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await nextEvent(`status ${i}`, 'message.status')).data);
    expect(statuses).toEqual([
      { message_id: '3EB0F1E2D3C4B5A69788', chat_jid: MARIA, status: 'sent', timestamp: expect.any(Number) },
      { message_id: '3EB0F1E2D3C4B5A69788', chat_jid: MARIA, status: 'delivered', timestamp: expect.any(Number) },
      { message_id: '3EB0F1E2D3C4B5A69788', chat_jid: MARIA, status: 'read', timestamp: expect.any(Number) },
      { message_id: '3EB0C0FFEE0011223344', chat_jid: GROUP, status: 'read', timestamp: 1764317200 },
      { message_id: '3EB0C0FFEE0011223344', chat_jid: GROUP, status: 'played', timestamp: 1764317260 },
    ]);
    upsert({ type: 'notify', messages: [{ key: { remoteJid: MARIA, fromMe: false, id: '3AMARKER000000000002' }, messageTimestamp: 1764317300, message: { conversation: 'after' } }] });
    expect((await raw.next('the next event', (f) => f.type === 'event')).data.message?.content.text).toBe('after');
  });

  it('sends text over REST after checking the number is on WhatsApp; echoes it with a sent status', async () => {
    events = [];
    const res = await client.post('/api/message/text/phone', { number: '5511988887777', message: 'Olá' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, message: 'Message sent', message_id: expect.stringMatching(/^3EB0/) });
    expect(socket.sent.at(-1)).toEqual({ jid: '5511988887777@s.whatsapp.net', content: { text: 'Olá' }, options: {} });
    const echo = await nextEvent('the echo');
    expect(echo.data).toEqual({
      message: {
        id: res.body.message_id, direction: 'outgoing', timestamp: expect.any(Number),
        chat: { jid: '5511988887777@s.whatsapp.net', name: '', type: 'private' },
        sender: { jid: OWN_JID, name: '' }, content: { text: 'Olá' },
      },
      source: 'api',
    });
    expect((await nextEvent('its status', 'message.status')).data).toMatchObject({ message_id: res.body.message_id, status: 'sent' });
  });

  it('sends a quoted reply: the stored message is quoted', async () => {
    const res = await client.post('/api/message/text/phone', { number: '5511999999999', message: 'Pode sim', replyTo: '3A5F0D2C7E9B41A6C8D1' });
    expect(res.status).toBe(201);
    const { options } = socket.sent.at(-1)!;
    expect(options.quoted.key).toMatchObject({ id: '3A5F0D2C7E9B41A6C8D1', remoteJid: MARIA, fromMe: false });
    expect(options.quoted.message.conversation).toBe('Oi, tudo bem?');
  });

  it('sends media by URL with its caption and type', async () => {
    const media = { type: 'image', url: 'https://cdn.example.com/a.png', mimetype: 'image/png', caption: 'look' };
    expect((await client.post('/api/message/media/phone', { number: '5511988887777', media })).status).toBe(201);
    expect(socket.sent.at(-1)!.content).toEqual({ image: { url: 'https://cdn.example.com/a.png' }, caption: 'look', mimetype: 'image/png' });
    expect(socket.sent.at(-1)!.options.options).toEqual({ maxContentLength: 100 * 1024 * 1024, timeout: 3000 });
    const document = { type: 'document', url: 'https://cdn.example.com/r.pdf', mimetype: 'application/pdf', file_name: 'r.pdf' };
    expect((await client.post('/api/message/media/phone', { number: '5511988887777', media: document })).status).toBe(201);
    expect(socket.sent.at(-1)!.content).toEqual({ document: { url: 'https://cdn.example.com/r.pdf' }, mimetype: 'application/pdf', fileName: 'r.pdf', caption: undefined });
  });

  it('a number without WhatsApp: 400 over REST, a failed result over the channel; nothing sent', async () => {
    socket.notOnWhatsApp.add('5511900000000@s.whatsapp.net');
    const sent = socket.sent.length;
    const res = await client.post('/api/message/text/phone', { number: '5511900000000', message: 'Olá' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, error: { message: 'number is not on WhatsApp' } });
    raw.send({ type: 'send', id: 'cw-nowa', to: '5511900000000', text: 'Olá' });
    expect(await raw.next('the result', (f) => f.type === 'result' && f.id === 'cw-nowa')).toEqual({ type: 'result', id: 'cw-nowa', ok: false, error: 'number is not on WhatsApp' });
    expect(socket.sent.length).toBe(sent);
  });

  it('a bridge send goes through the socket and comes back as a chatwoot echo with its command id', async () => {
    raw.send({ type: 'send', id: 'cw-1', to: '5511999999999', text: 'Resposta', reply_to: '3A9C11E04B7D52F3A6E8' });
    const result = await raw.next('the result', (f) => f.type === 'result' && f.id === 'cw-1');
    expect(result).toEqual({ type: 'result', id: 'cw-1', ok: true, message_id: expect.stringMatching(/^3EB0/) });
    expect(socket.sent.at(-1)!.options.quoted.key.id).toBe('3A9C11E04B7D52F3A6E8');
    const echo = await raw.next('the echo', (f) => f.type === 'event' && f.data.command_id === 'cw-1');
    expect(echo.data).toMatchObject({ message: { id: result.message_id, direction: 'outgoing', reply_to: '3A9C11E04B7D52F3A6E8' }, source: 'chatwoot', command_id: 'cw-1' });
  });

  it('after a restart, a message seen before is still one event (the dedup is durable)', async () => {
    const lastSeq = Math.max(...raw.events.map((f) => f.seq));
    await raw.close();
    await t.close();
    await start();
    phone = { ...phone, channelUrl: `${t.wsUrl}/ws/chatwoot/phone` };
    socket = await factory.socket(1);
    socket.open();
    await waitFor('connected', () => events.some((e) => e.event === 'instance.state' && e.data.state === 'connected'));
    raw = await openRaw(phone, bridge.token, sockets);
    const [first] = fixture('upsert-duplicate.json');
    upsert(first);
    upsert({ type: 'notify', messages: [{ ...first.messages[0], key: { ...first.messages[0].key, id: '3AMARKER000000000003' }, message: { conversation: 'after restart' } }] });
    const next = await raw.next('the marker', (f) => f.type === 'event' && f.event === 'message.exchange' && f.seq > lastSeq);
    expect(next.data.message.content.text).toBe('after restart');
  });
});
