import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadChatwootDocument, startFakeChatwoot, type FakeChatwoot } from '../support/fake-chatwoot/index.js';

/** Proves the fake Chatwoot itself: state, document checks, auth, webhooks, faults. */

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}

/** A webhook receiver on loopback: records every POST; `answer` decides the reply. */
class Receiver {
  readonly received: Received[] = [];
  answer: (res: ServerResponse) => void = (res) => res.end('ok');
  private server!: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        this.received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
        this.answer(res);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/chatwoot/webhook/1/secret`;
  }

  events(event = 'message_created'): Received[] {
    return this.received.filter((r) => r.body.event === event);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let fake: FakeChatwoot;
let receiver: Receiver;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${fake.url}/api/v1/accounts/${fake.accountId}${path}`, {
    method,
    headers: { api_access_token: fake.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: the test sees the text
  }
  return { status: res.status, headers: res.headers, body: json };
}

/** An API inbox with the receiver as webhook, a contact and a conversation, made through the API. */
async function conversationSetup() {
  const inbox = (await call('POST', '/inboxes', { name: 'WhatsApp Sales', channel: { type: 'api', webhook_url: receiver.url } })).body;
  const created = (await call('POST', '/contacts', { inbox_id: inbox.id, name: 'Ana', phone_number: '+5511999990001', identifier: '5511999990001@s.whatsapp.net' })).body;
  const conversation = (
    await call('POST', '/conversations', { source_id: created.payload.contact_inbox.source_id, inbox_id: inbox.id, contact_id: created.payload.contact.id })
  ).body;
  return { inbox, contact: created.payload.contact, conversation };
}

beforeAll(async () => {
  receiver = await new Receiver().start();
});

afterAll(async () => {
  await receiver.stop();
});

beforeEach(async () => {
  receiver.received.length = 0;
  receiver.answer = (res) => res.end('ok');
  fake = await startFakeChatwoot({ apiWebhooks: false });
});

afterEach(async () => {
  await fake.close();
});

describe('startFakeChatwoot outside Jest', () => {
  it('keeps a process that only waits for it alive until it is up', () => {
    const entry = pathToFileURL(resolve(import.meta.dirname, '../../dist/test/support/fake-chatwoot/index.js')).href;
    const script = `const { startFakeChatwoot } = await import(${JSON.stringify(entry)}); const f = await startFakeChatwoot(); console.log('up', f.accountId); await f.close();`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
    expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({ status: 0, stdout: 'up 1' });
  });
});

describe('the patched OpenAPI document', () => {
  it('carries each named patch and nothing is left unpatched', () => {
    const document = loadChatwootDocument();
    const text = JSON.stringify(document);
    expect(text).not.toContain('#/definitions/');
    expect(text).not.toContain('application/json; charset=utf-8');
    const inboxes = document.paths['/api/v1/accounts/{account_id}/inboxes'];
    const inbox = document.paths['/api/v1/accounts/{account_id}/inboxes/{id}'];
    expect(Object.keys(inboxes).sort()).toEqual(['get', 'post']);
    expect(Object.keys(inbox).sort()).toEqual(['delete', 'get', 'patch']);
    expect(document.paths['/api/v1/accounts/{account_id}/inboxes/']).toBeUndefined();
    const channel = inboxes.post.requestBody.content['application/json'].schema.properties.channel.properties;
    expect(channel.type.enum).toEqual(['web_widget', 'api']);
    expect(channel.webhook_url.type).toBe('string');
  });
});

describe('valid calls', () => {
  it('create an inbox, a contact, a conversation and messages, with Chatwoot shapes and integer ids', async () => {
    const { inbox, contact, conversation } = await conversationSetup();
    expect(inbox).toMatchObject({ id: expect.any(Number), name: 'WhatsApp Sales', channel_type: 'Channel::Api', webhook_url: receiver.url });
    expect(contact).toMatchObject({ id: expect.any(Number), phone_number: '+5511999990001', identifier: '5511999990001@s.whatsapp.net' });
    expect(conversation).toMatchObject({ id: expect.any(Number), inbox_id: inbox.id, status: 'open' });

    const text = await call('POST', `/conversations/${conversation.id}/messages`, { content: 'hi', message_type: 'incoming', source_id: 'WAID:ABC' });
    expect(text.status).toBe(200);
    expect(text.body).toMatchObject({ id: expect.any(Number), content: 'hi', message_type: 0, source_id: 'WAID:ABC', conversation_id: conversation.id });

    const form = new FormData();
    form.append('content', 'a photo');
    form.append('message_type', 'incoming');
    form.append('attachments[]', new Blob([Buffer.from('PNG bytes')], { type: 'image/png' }), 'photo.png');
    const upload = await fetch(`${fake.url}/api/v1/accounts/${fake.accountId}/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { api_access_token: fake.token },
      body: form,
    });
    expect(upload.status).toBe(200);
    const uploaded = (await upload.json()) as any;
    expect(uploaded.attachments).toEqual([expect.objectContaining({ file_type: 'image', extension: 'png', file_size: 9 })]);
    expect(await (await fetch(uploaded.attachments[0].data_url)).text()).toBe('PNG bytes');

    expect(fake.inboxes().map((i) => i.name)).toEqual(['WhatsApp Sales']);
    expect(fake.messages(conversation.id).map((m) => [m.content, m.messageType, m.attachments.length])).toEqual([
      ['hi', 'incoming', 0],
      ['a photo', 'incoming', 1],
    ]);
    const listed = await call('GET', `/conversations/${conversation.id}/messages`);
    expect(listed.body.payload.map((m: any) => m.content)).toEqual(['hi', 'a photo']);
    expect(fake.callCounts()['POST /conversations/:conversation_id/messages']).toBe(2);
    expect(fake.requests.every((r) => !JSON.stringify(r).includes(fake.token))).toBe(true);
  });

  it('finds contacts by phone, refuses duplicates with 422, toggles status and deletes inboxes', async () => {
    const { inbox, contact, conversation } = await conversationSetup();
    const found = await call('GET', `/contacts/search?q=${encodeURIComponent('+5511999990001')}`);
    expect(found.body.payload.map((c: any) => c.id)).toEqual([contact.id]);
    // An unencoded + is a space, which Chatwoot strips: the digits still find the contact.
    expect((await call('GET', '/contacts/search?q=+5511999990001')).body.payload.map((c: any) => c.id)).toEqual([contact.id]);
    expect(await call('GET', '/contacts/search?q=%20')).toMatchObject({ status: 422, body: { error: 'Specify search string with parameter q' } });

    const duplicate = await call('POST', '/contacts', { inbox_id: inbox.id, name: 'Ana again', phone_number: '+5511999990001' });
    expect(duplicate).toMatchObject({ status: 422, body: { message: 'Phone number has already been taken', attributes: ['phone_number'] } });
    const badName = await call('POST', '/inboxes', { name: 'sales/support', channel: { type: 'api', webhook_url: receiver.url } });
    expect(badName.status).toBe(422);

    const toggled = await call('POST', `/conversations/${conversation.id}/toggle_status`, { status: 'resolved' });
    expect(toggled.body).toEqual({ meta: {}, payload: { success: true, current_status: 'resolved', conversation_id: conversation.id } });
    expect((await call('GET', `/contacts/${contact.id}/conversations`)).body.payload.map((c: any) => c.status)).toEqual(['resolved']);

    const patched = await call('PATCH', `/inboxes/${inbox.id}`, { name: 'WhatsApp Renamed', enable_auto_assignment: true, channel: { webhook_url: `${receiver.url}/2` } });
    expect(patched.body).toMatchObject({ name: 'WhatsApp Renamed', webhook_url: `${receiver.url}/2` });
    expect((await call('DELETE', `/inboxes/${inbox.id}`)).status).toBe(200);
    expect((await call('DELETE', `/inboxes/${inbox.id}`)).status).toBe(404);
    expect(fake.conversations()).toEqual([]);
  });
});

describe('requests the document refuses are violations', () => {
  it('records a wrong field type, a wrong auth header, a missing required field and a wrong media type', async () => {
    const { conversation } = await conversationSetup();
    const wrongType = await call('POST', '/contacts', { inbox_id: 'not-a-number', name: 'Bob' });
    expect(wrongType.status).toBe(422);
    const bearer = await call('GET', '/inboxes', undefined, { api_access_token: '', authorization: `Bearer ${fake.token}` });
    expect(bearer).toMatchObject({ status: 401, body: { errors: ['You need to sign in or sign up before continuing.'] } });
    const missing = await call('POST', `/conversations/${conversation.id}/toggle_status`, {});
    expect(missing.status).toBe(422);
    const plain = await fetch(`${fake.url}/api/v1/accounts/${fake.accountId}/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { api_access_token: fake.token, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(plain.status).toBe(422);
    const unknown = await call('GET', '/no_such_thing');
    expect(unknown.status).toBe(404);

    const violations = fake.takeViolations();
    expect(violations.map((v) => v.description)).toEqual([
      `POST /api/v1/accounts/${fake.accountId}/contacts: requestBody.inbox_id must be number`,
      `GET /api/v1/accounts/${fake.accountId}/inboxes: header api_access_token (the security the document requires) is missing`,
      `POST /api/v1/accounts/${fake.accountId}/conversations/${conversation.id}/toggle_status: requestBody must have required property 'status'`,
      `POST /api/v1/accounts/${fake.accountId}/conversations/${conversation.id}/messages: content-type text/plain is not one the operation takes (application/json)`,
      `GET /api/v1/accounts/${fake.accountId}/no_such_thing: the document has no such path`,
    ]);
    expect(JSON.stringify(violations)).not.toContain(fake.token);
  });

  it('makes close() fail while violations are left', async () => {
    await call('POST', '/contacts', { name: 'no inbox_id' });
    await expect(fake.close()).rejects.toThrow(/requestBody must have required property 'inbox_id'/);
    fake.takeViolations();
  });
});

describe('auth as Chatwoot answers it', () => {
  it('401 for an unknown or revoked token, 404 for an unknown account, 401 outside the account and for an agent creating an inbox', async () => {
    expect(await call('GET', '/inboxes', undefined, { api_access_token: 'not-a-token' })).toMatchObject({ status: 401, body: { error: 'Invalid Access Token' } });
    const other = fake.createAccount();
    const stranger = fake.createUser({ accountIds: [other] });
    expect(await call('GET', '/inboxes', undefined, { api_access_token: stranger.token })).toMatchObject({
      status: 401,
      body: { error: 'You are not authorized to access this account' },
    });
    const unknownAccount = await fetch(`${fake.url}/api/v1/accounts/999/inboxes`, { headers: { api_access_token: fake.token } });
    expect(unknownAccount.status).toBe(404);
    const asAgent = await call('POST', '/inboxes', { name: 'Agent inbox', channel: { type: 'api', webhook_url: receiver.url } }, { api_access_token: fake.agentToken });
    expect(asAgent).toMatchObject({ status: 401, body: { error: 'You are not authorized to do this action' } });
    expect((await call('GET', '/inboxes', undefined, { api_access_token: fake.agentToken })).status).toBe(200);
    fake.revokeToken(fake.token);
    expect((await call('GET', '/inboxes')).status).toBe(401);
  });
});

describe('webhooks', () => {
  it('posts an agent reply as message_created, signed: the HMAC of "<timestamp>.<raw body>" matches', async () => {
    const { inbox, conversation } = await conversationSetup();
    const incoming = (await call('POST', `/conversations/${conversation.id}/messages`, { content: 'hi', message_type: 'incoming', source_id: 'WAID:XYZ' })).body;
    fake.setSigningSecret(inbox.id, 'inbox-signing-secret');
    const reply = await fake.agentReply(conversation.id, {
      content: 'hello there',
      inReplyTo: incoming.id,
      senderName: 'Maria',
      attachments: [{ name: 'doc.pdf', contentType: 'application/pdf', data: 'PDF' }],
    });
    expect(reply.deliveries.map((d) => d.status)).toEqual([200]);
    const [received] = receiver.events();
    const { headers, raw, body } = received;
    const expected = createHmac('sha256', 'inbox-signing-secret').update(`${headers['x-chatwoot-timestamp']}.${raw}`).digest('hex');
    expect(headers['x-chatwoot-signature']).toBe(`sha256=${expected}`);
    expect(Math.abs(Number(headers['x-chatwoot-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(headers['x-chatwoot-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toMatchObject({
      event: 'message_created',
      id: reply.message.id,
      content: 'hello there',
      message_type: 'outgoing',
      private: false,
      source_id: null,
      content_attributes: { in_reply_to: incoming.id, in_reply_to_external_id: 'WAID:XYZ' },
      sender: { name: 'Maria', type: 'user' },
      inbox: { id: inbox.id },
      account: { id: fake.accountId },
      conversation: { id: conversation.id, contact_inbox: { source_id: expect.any(String) }, meta: { sender: { phone_number: '+5511999990001' } } },
      attachments: [expect.objectContaining({ file_type: 'file', extension: 'pdf' })],
    });
    expect(await (await fetch(body.attachments[0].data_url)).text()).toBe('PDF');

    await fake.agentReply(conversation.id, { tamper: 'signature' });
    const forged = receiver.events()[1];
    expect(forged.headers['x-chatwoot-signature']).not.toBe(
      `sha256=${createHmac('sha256', 'inbox-signing-secret').update(`${forged.headers['x-chatwoot-timestamp']}.${forged.raw}`).digest('hex')}`,
    );
  });

  it('delivers a duplicate twice with the same message id', async () => {
    const { conversation } = await conversationSetup();
    const reply = await fake.agentReply(conversation.id, { content: 'once', duplicate: true });
    expect(reply.deliveries).toHaveLength(2);
    expect(receiver.events().map((r) => r.body.id)).toEqual([reply.message.id, reply.message.id]);
    expect(fake.messages(conversation.id).filter((m) => m.content === 'once')).toHaveLength(1);
  });

  it('retries a failed delivery with the same X-Chatwoot-Delivery', async () => {
    const { conversation } = await conversationSetup();
    let answered = 0;
    receiver.answer = (res) => {
      res.statusCode = ++answered === 1 ? 503 : 200;
      res.end();
    };
    const reply = await fake.agentReply(conversation.id, { content: 'again', retries: 2, retryDelayMs: 10 });
    expect(reply.deliveries.map((d) => d.status)).toEqual([200]);
    expect(fake.webhooks.attempts.map((a) => a.status)).toEqual([503, 200]);
    const ids = receiver.events().map((r) => r.headers['x-chatwoot-delivery']);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('posts webhooks for what the API creates, as Chatwoot does, when apiWebhooks is on', async () => {
    await fake.close();
    fake = await startFakeChatwoot();
    const { conversation } = await conversationSetup();
    await call('POST', `/conversations/${conversation.id}/messages`, { content: 'from the bridge', message_type: 'incoming', source_id: 'WAID:1' });
    await fake.waitFor(() => receiver.events().length === 1, 5000, 'the message_created webhook');
    expect(receiver.events('conversation_created')).toHaveLength(1);
    expect(receiver.events()[0].body).toMatchObject({ message_type: 'incoming', source_id: 'WAID:1', sender: { type: 'contact' } });
  });

  it('with signingSecrets, gives each new inbox a secret (its `secret`) and signs its webhooks with it', async () => {
    await fake.close();
    fake = await startFakeChatwoot({ apiWebhooks: false, signingSecrets: true });
    const { inbox, conversation } = await conversationSetup();
    expect(inbox.secret).toEqual(expect.any(String));
    await fake.agentReply(conversation.id, { content: 'signed' });
    const [{ headers, raw }] = receiver.events();
    const expected = createHmac('sha256', inbox.secret).update(`${headers['x-chatwoot-timestamp']}.${raw}`).digest('hex');
    expect(headers['x-chatwoot-signature']).toBe(`sha256=${expected}`);
  });

  it('posts another inbox’s traffic where it is told to, and activity messages and private notes as they are', async () => {
    const { inbox, conversation } = await conversationSetup();
    const other = fake.addInbox('Other Team');
    const elsewhere = fake.addConversation(other.id, { name: 'Zed', phoneNumber: '+5511999990009' });
    await fake.agentReply(elsewhere.id, { content: 'not yours', url: receiver.url });
    await fake.activityMessage(conversation.id, 'Conversation was resolved by Maria');
    await fake.agentReply(conversation.id, { content: 'note', private: true });
    expect(receiver.events().map((r) => [r.body.inbox.id, r.body.message_type, r.body.private, r.body.sender?.type ?? null])).toEqual([
      [other.id, 'outgoing', false, 'user'],
      [inbox.id, 'activity', false, null],
      [inbox.id, 'outgoing', true, 'user'],
    ]);
  });

  it('gives up after Chatwoot’s 5-second timeout', async () => {
    const { conversation } = await conversationSetup();
    receiver.answer = () => undefined;
    const reply = await fake.agentReply(conversation.id, { content: 'slow' });
    expect(reply.deliveries[0]).toMatchObject({ status: 0, error: 'timeout' });
    expect(reply.deliveries[0].durationMs).toBeGreaterThanOrEqual(4900);
  }, 15000);
});

describe('faults', () => {
  it('answers 429 with Retry-After for the next n calls, then normally', async () => {
    fake.rateLimit(2, 7);
    const first = await call('GET', '/inboxes');
    const second = await call('GET', '/inboxes');
    expect([first.status, first.headers.get('retry-after'), second.status]).toEqual([429, '7', 429]);
    expect((await call('GET', '/inboxes')).status).toBe(200);
  });

  it('fails the next matching calls, adds latency, refuses, resets and answers 5xx during an outage', async () => {
    fake.failNext(1, 500, { method: 'POST', path: '/contacts' });
    expect((await call('GET', '/inboxes')).status).toBe(200);
    expect((await call('POST', '/contacts', { inbox_id: 1, name: 'X' })).status).toBe(500);

    fake.latencyMs = 50;
    const started = performance.now();
    await call('GET', '/inboxes');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    fake.latencyMs = 0;

    await fake.outage('refuse');
    await expect(call('GET', '/inboxes')).rejects.toThrow();
    await fake.outage('reset');
    await expect(call('GET', '/inboxes')).rejects.toThrow();
    await fake.outage(503);
    expect((await call('GET', '/inboxes')).status).toBe(503);
    await fake.outage('hang');
    await expect(fetch(`${fake.url}/api/v1/accounts/${fake.accountId}/inboxes`, { headers: { api_access_token: fake.token }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    await fake.outage(null);
    expect((await call('GET', '/inboxes')).status).toBe(200);
  });

  it('loses an inbox behind the caller’s back', async () => {
    const { inbox } = await conversationSetup();
    fake.deleteInbox(inbox.id);
    expect((await call('PATCH', `/inboxes/${inbox.id}`, { name: 'Back', enable_auto_assignment: true })).status).toBe(404);
  });
});
