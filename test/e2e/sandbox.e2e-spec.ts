import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EngineEvents } from '../../src/ryzeapi/engine/engine-events.js';
import type { EngineEvent } from '../../src/ryzeapi/engine/engine.types.js';
import { api } from '../support/http.js';
import { startApp, type TestApp } from '../support/test-app.js';

/** SPEC section 12: the sandbox engine over REST, and the events it raises (section 9). */
describe('sandbox WhatsApp engine', () => {
  let t: TestApp;
  let client: ReturnType<typeof api>;
  let events: EngineEvent[] = [];
  let unsubscribe: () => void;

  const error = (message: string) => ({ success: false, error: { message } });
  const MARIA = '5511999999999@s.whatsapp.net';
  const BOB = '5511988887777@s.whatsapp.net';
  const GROUP = '120363000000000000@g.us';
  const MESSAGE_ID = /^3EB0[0-9A-F]{16}$/;
  const unixSeconds = () => expect.any(Number) as unknown as number;
  const image = { type: 'image', url: 'https://cdn.example.com/a.png', mimetype: 'image/png', caption: 'look' };

  /** Events raised since the last call, without the instance reference. */
  function takeEvents(): Pick<EngineEvent, 'event' | 'data'>[] {
    const taken = events.map(({ instance, event, data }) => {
      expect(instance).toMatchObject({ id: expect.any(String), name: 'phone' });
      return { event, data };
    });
    events = [];
    return taken;
  }

  beforeAll(async () => {
    t = await startApp();
    client = api(t.url, await t.newAccount());
    expect((await client.post('/api/instance/new', { name: 'phone' })).status).toBe(201);
    unsubscribe = t.app.get(EngineEvents).subscribe((published) => void events.push(...published));
  });
  afterAll(async () => {
    unsubscribe();
    await t.close();
  });

  it('refuses to receive or send before connect: 503', async () => {
    const answers = [
      await client.post('/api/sandbox/receive/phone', { from: '5511999999999', text: 'Oi' }),
      await client.post('/api/message/text/phone', { number: '5511988887777', message: 'Olá' }),
      await client.post('/api/message/media/phone', { number: '5511988887777', media: image }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.body).toEqual(error('Instance is not connected to WhatsApp'));
    }
    expect(takeEvents()).toEqual([]);
  });

  it('connects at once and raises instance.state connected', async () => {
    const res = await client.get('/api/instance/connect/phone');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Instance connected', status: 'connected' });
    expect(takeEvents()).toEqual([{ event: 'instance.state', data: { state: 'connected' } }]);
  });

  it('receives a private text message as an incoming message.exchange', async () => {
    const res = await client.post('/api/sandbox/receive/phone', { from: '5511999999999', name: 'Maria', text: 'Oi' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, message_id: expect.stringMatching(MESSAGE_ID) });
    const [exchange, ...rest] = takeEvents();
    expect(rest).toEqual([]);
    expect(exchange).toEqual({
      event: 'message.exchange',
      data: {
        message: {
          id: res.body.message_id,
          direction: 'incoming',
          timestamp: unixSeconds(),
          chat: { jid: MARIA, name: 'Maria', type: 'private' },
          sender: { jid: MARIA, name: 'Maria' },
          content: { text: 'Oi' },
        },
        source: 'whatsapp',
      },
    });
    const timestamp = (exchange.data as { message: { timestamp: number } }).message.timestamp;
    expect(Number.isInteger(timestamp)).toBe(true);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(120);
  });

  it('receives a group message with media', async () => {
    const res = await client.post('/api/sandbox/receive/phone', {
      from: '+5511999999999', name: 'Maria', group: { jid: GROUP, name: 'Time' }, media: image,
    });
    expect(res.status).toBe(201);
    expect(takeEvents()).toEqual([{
      event: 'message.exchange',
      data: {
        message: {
          id: res.body.message_id,
          direction: 'incoming',
          timestamp: unixSeconds(),
          chat: { jid: GROUP, name: 'Time', type: 'group' },
          sender: { jid: MARIA, name: 'Maria' },
          content: { text: 'look' },
          media: image,
        },
        source: 'whatsapp',
      },
    }]);
  });

  it.each([
    ['a sender that is not a number', { from: 'maria', text: 'Oi' }, 'invalid body: from must be a phone number of 5 to 20 digits'],
    ['neither text nor media', { from: '5511999999999' }, 'invalid body: text or media is required'],
    ['a group that is not a group JID', { from: '5511999999999', text: 'Oi', group: { jid: '123@s.whatsapp.net' } }, 'invalid body: group.jid must be a group JID ending in @g.us'],
  ])('refuses a simulated message with %s: 400', async (_, body, message) => {
    const res = await client.post('/api/sandbox/receive/phone', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error(message));
  });

  let textId: string;
  let mediaId: string;

  it('sends text: outgoing message.exchange, then message.status sent, then delivered', async () => {
    const res = await client.post('/api/message/text/phone', { number: '5511988887777', message: 'Olá', replyTo: '3EB0AAAA' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, message: 'Message sent', message_id: expect.stringMatching(MESSAGE_ID) });
    textId = res.body.message_id;
    const status = (s: string) => ({ event: 'message.status', data: { message_id: textId, chat_jid: BOB, status: s, timestamp: unixSeconds() } });
    expect(takeEvents()).toEqual([
      {
        event: 'message.exchange',
        data: {
          message: {
            id: textId,
            direction: 'outgoing',
            timestamp: unixSeconds(),
            chat: { jid: BOB, name: '', type: 'private' },
            sender: { jid: 'me', name: '' },
            content: { text: 'Olá' },
            reply_to: '3EB0AAAA',
          },
          source: 'api',
        },
      },
      status('sent'),
      status('delivered'),
    ]);
  });

  it('sends media to a group', async () => {
    const res = await client.post('/api/message/media/phone', { number: GROUP, media: image });
    expect(res.status).toBe(201);
    mediaId = res.body.message_id;
    const [exchange, sent, delivered] = takeEvents();
    expect(exchange).toEqual({
      event: 'message.exchange',
      data: {
        message: {
          id: mediaId, direction: 'outgoing', timestamp: unixSeconds(), chat: { jid: GROUP, name: '', type: 'group' },
          sender: { jid: 'me', name: '' }, content: { text: 'look' }, media: image,
        },
        source: 'api',
      },
    });
    expect([sent.data, delivered.data]).toEqual([
      { message_id: mediaId, chat_jid: GROUP, status: 'sent', timestamp: unixSeconds() },
      { message_id: mediaId, chat_jid: GROUP, status: 'delivered', timestamp: unixSeconds() },
    ]);
  });

  it.each([
    ['/api/message/text/phone', { number: 'not-a-number', message: 'Olá' }, 'invalid body: number must be a phone number (5 to 20 digits) or a WhatsApp JID'],
    ['/api/message/text/phone', { number: '123', message: 'Olá' }, 'invalid body: number must be a phone number (5 to 20 digits) or a WhatsApp JID'],
    ['/api/message/media/phone', { number: '5511+988', media: image }, 'invalid body: number must be a phone number (5 to 20 digits) or a WhatsApp JID'],
    ['/api/message/media/phone', { number: '5511988887777', media: { ...image, type: 'sticker' } }, 'invalid body: media.type must be one of image, video, audio, document'],
    ['/api/message/text/phone', { number: '5511988887777', message: 'a\u0000b' }, 'invalid body: message contains a NUL character or an unpaired surrogate'],
    ['/api/sandbox/receive/phone', { from: '5511988887777', media: { ...image, caption: '\u0000' } }, 'invalid body: media.caption contains a NUL character or an unpaired surrogate'],
  ])('POST %s with a bad body: 400', async (path, body, message) => {
    const res = await client.post(path, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error(message));
    expect(takeEvents()).toEqual([]);
  });

  it('lists what was sent, oldest first, without the received messages', async () => {
    const res = await client.get('/api/sandbox/sent/phone');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: [
        { message_id: textId, to: BOB, text: 'Olá', media: null, source: 'api', command_id: null, timestamp: unixSeconds() },
        { message_id: mediaId, to: GROUP, text: null, media: image, source: 'api', command_id: null, timestamp: unixSeconds() },
      ],
    });
  });

  it('refuses to receive or send after logout: 503', async () => {
    expect((await client.delete('/api/instance/logout/phone')).status).toBe(200);
    expect(takeEvents()).toEqual([{ event: 'instance.state', data: { state: 'loggedout' } }]);
    const receive = await client.post('/api/sandbox/receive/phone', { from: '5511999999999', text: 'Oi' });
    const send = await client.post('/api/message/text/phone', { number: '5511988887777', message: 'Olá' });
    for (const res of [receive, send]) {
      expect(res.status).toBe(503);
      expect(res.body).toEqual(error('Instance is not connected to WhatsApp'));
    }
    expect(takeEvents()).toEqual([]);
    expect((await client.get('/api/sandbox/sent/phone')).body.data).toHaveLength(2);
  });
});
