import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { waitFor } from '../support/channel-helpers.js';
import { api } from '../support/http.js';
import type { ResultFrame } from '../../src/shared/protocol/channel.frames.js';
import { ChatsRepository } from '../../src/bridge/relay/chats.repository.js';
import { RyzeApiChannel } from '../../src/bridge/channel/ryzeapi.channel.js';
import { BRIDGE_TOKEN, connectedInstance, receive, startStack, type Stack } from '../support/test-bridge.js';

/** WhatsApp → Chatwoot (SPEC 13.3): once, in order, whatever happens in between. */
describe('bridge: WhatsApp → Chatwoot', () => {
  let stack: Stack;
  const phone = (i: number) => `55119${String(i).padStart(8, '0')}`;

  /** The fake's messages of one inbox, by conversation, as [contact phone, content]. */
  const inboxMessages = (inboxId: number) => stack.chatwoot.messages().filter((m) => m.inboxId === inboxId);
  const inboxOf = async (instance: string) => (await api(stack.ryze.url, stack.account).get(`/api/chatwoot/list/${instance}`)).body.chatwoot_inbox_id as number;
  const contentsByConversation = (inboxId: number) => {
    const out = new Map<number, string[]>();
    for (const m of inboxMessages(inboxId)) out.set(m.conversationId, [...(out.get(m.conversationId) ?? []), m.content ?? '']);
    return out;
  };
  const expectOnce = (inboxId: number) => {
    const ids = inboxMessages(inboxId).map((m) => m.sourceId);
    expect(new Set(ids).size).toBe(ids.length);
  };
  const bridgeStatus = async (id: string) =>
    (await api(stack.bridge.url).get(`/v1/integrations/${id}`, { headers: { authorization: `Bearer ${BRIDGE_TOKEN}` } })).body;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    stack.chatwoot.assertNoViolations();
    await stack?.close();
  });

  it('writes messages of several chats once each, in order per chat, one contact and one conversation per chat', async () => {
    const { name } = await connectedInstance(stack, 'order');
    const inbox = await inboxOf(name);
    const chats = 5;
    const perChat = 12;
    for (let n = 0; n < perChat; n++) {
      await Promise.all(Array.from({ length: chats }, (_, c) => receive(stack, name, { from: phone(c), name: `Cliente ${c}`, text: `c${c} m${n}` })));
    }
    await waitFor('every message in Chatwoot', () => inboxMessages(inbox).length === chats * perChat, 20_000);
    const byConversation = contentsByConversation(inbox);
    expect(byConversation.size).toBe(chats);
    for (const contents of byConversation.values()) {
      const chat = contents[0].split(' ')[0];
      expect(contents).toEqual(Array.from({ length: perChat }, (_, n) => `${chat} m${n}`));
    }
    expectOnce(inbox);
    const contacts = stack.chatwoot.contacts().filter((c) => c.phoneNumber?.startsWith('+55119'));
    expect(contacts).toHaveLength(chats);
    expect(contacts.map((c) => c.name).sort()).toEqual(Array.from({ length: chats }, (_, c) => `Cliente ${c}`));
    const m = inboxMessages(inbox)[0];
    expect(m).toMatchObject({ messageType: 'incoming', sourceId: expect.stringMatching(/^WAID:/) });
    // Everything is acknowledged: nothing waits in RyzeAPI's outbox.
    await waitFor('acked', async () => (await api(stack.ryze.url, stack.account).get(`/api/chatwoot/list/${name}`)).body.pending_events === 0);
  });

  it('once contacts and conversations are known, one Chatwoot call per message', async () => {
    const { name } = await connectedInstance(stack, 'calls');
    const inbox = await inboxOf(name);
    await receive(stack, name, { from: phone(50), name: 'Zé', text: 'first' });
    await waitFor('first', () => inboxMessages(inbox).length === 1);
    const before = stack.chatwoot.requests.length;
    for (let n = 0; n < 20; n++) await receive(stack, name, { from: phone(50), name: 'Zé', text: `n${n}` });
    await waitFor('all', () => inboxMessages(inbox).length === 21);
    expect(stack.chatwoot.requests.length - before).toBe(20);
  });

  it('mirrors messages sent through the API as outgoing; skips the echoes of its own sends', async () => {
    const { name, integrationId } = await connectedInstance(stack, 'mirror');
    const inbox = await inboxOf(name);
    await receive(stack, name, { from: phone(60), name: 'Bia', text: 'olá' });
    const sent = await api(stack.ryze.url, stack.account).post(`/api/message/text/${name}`, { number: phone(60), message: 'resposta pela API' });
    expect(sent.status).toBeLessThan(300);
    await waitFor('outgoing mirrored', () => inboxMessages(inbox).length === 2);
    const [incoming, outgoing] = inboxMessages(inbox);
    expect(outgoing).toMatchObject({ messageType: 'outgoing', content: 'resposta pela API', conversationId: incoming.conversationId, sourceId: expect.stringMatching(/^WAID:/) });

    // A `send` of the bridge's own (part 2's path): its result arrives, its echo is not written.
    const channel = stack.bridge.app.get(RyzeApiChannel);
    const result = new Promise<ResultFrame>((resolve) => {
      const off = channel.onResult((id, frame) => id === integrationId && frame.id === 'cw-echo-1' && (off(), resolve(frame)));
    });
    expect(channel.send(integrationId, { type: 'send', id: 'cw-echo-1', to: phone(60), text: 'from an agent' })).toBe(true);
    expect(await result).toMatchObject({ ok: true, message_id: expect.any(String) });
    await receive(stack, name, { from: phone(60), name: 'Bia', text: 'after the echo' });
    await waitFor('the next message', () => inboxMessages(inbox).length === 3);
    expect(inboxMessages(inbox).map((m) => m.content)).toEqual(['olá', 'resposta pela API', 'after the echo']);
  });

  it('groups: one conversation per group, a contact named after it, each message signed by its sender', async () => {
    const { name } = await connectedInstance(stack, 'groups');
    const inbox = await inboxOf(name);
    const group = { jid: '120363000000000001@g.us', name: 'Time' };
    await receive(stack, name, { from: phone(70), name: 'Ana', text: 'bom dia', group });
    await receive(stack, name, { from: phone(71), name: 'Rui', text: 'oi!', group });
    await waitFor('group messages', () => inboxMessages(inbox).length === 2);
    const [a, b] = inboxMessages(inbox);
    expect(a.conversationId).toBe(b.conversationId);
    expect(a.content).toBe(`Ana (+${phone(70)}):\nbom dia`);
    expect(b.content).toBe(`Rui (+${phone(71)}):\noi!`);
    const contact = stack.chatwoot.contacts().find((c) => c.identifier === group.jid)!;
    expect(contact.name).toBe('Time (group)');
  });

  it('ignoreGroups: group messages are not routed', async () => {
    const { name } = await connectedInstance(stack, 'nogroups', { ignoreGroups: true });
    const inbox = await inboxOf(name);
    await receive(stack, name, { from: phone(72), name: 'Ana', text: 'no grupo', group: { jid: '120363000000000002@g.us', name: 'Outro' } });
    await receive(stack, name, { from: phone(72), name: 'Ana', text: 'privado' });
    await waitFor('private message', () => inboxMessages(inbox).length === 1);
    expect(inboxMessages(inbox)[0].content).toBe('privado');
  });

  it('media: downloaded and uploaded as a multipart attachment, with the caption as content', async () => {
    const { name } = await connectedInstance(stack, 'media');
    const inbox = await inboxOf(name);
    const bytes = Buffer.from('\x89PNG fake image bytes');
    const url = stack.chatwoot.addMedia('photo.png', 'image/png', bytes);
    await receive(stack, name, { from: phone(80), name: 'Caio', media: { type: 'image', url, mimetype: 'image/png', caption: 'veja' } });
    await waitFor('media message', () => inboxMessages(inbox).length === 1);
    const [m] = inboxMessages(inbox);
    expect(m.content).toBe('veja');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toMatchObject({ fileType: 'image', contentType: 'image/png', size: bytes.length });
  });

  it('media that cannot be downloaded (404) is written as a note, not retried forever', async () => {
    const { name } = await connectedInstance(stack, 'media404');
    const inbox = await inboxOf(name);
    await receive(stack, name, { from: phone(81), name: 'Caio', media: { type: 'document', url: `${stack.chatwoot.url}/rails/active_storage/blobs/redirect/missing/x.pdf`, caption: 'contrato' } });
    await waitFor('note', () => inboxMessages(inbox).length === 1);
    expect(inboxMessages(inbox)[0].content).toMatch(/^contrato\n\[document not available: its URL answered HTTP 404\]$/);
  });

  it('startAsPending and reopenResolved', async () => {
    const { name, integrationId } = await connectedInstance(stack, 'pending', { startAsPending: true, reopenResolved: true });
    const inbox = await inboxOf(name);
    await receive(stack, name, { from: phone(90), name: 'Lia', text: 'um' });
    await waitFor('first', () => inboxMessages(inbox).length === 1);
    const conversation = stack.chatwoot.conversations({ inboxId: inbox })[0];
    expect(conversation.status).toBe('pending');
    conversation.status = 'resolved';
    // The bridge forgets the chat (as after a new inbox): it finds the contact again and, with
    // reopenResolved, reopens its resolved conversation instead of opening a second one.
    await stack.bridge.app.get(ChatsRepository).forgetAll(integrationId);
    await receive(stack, name, { from: phone(90), name: 'Lia', text: 'dois' });
    await waitFor('second', () => inboxMessages(inbox).length === 2);
    expect(stack.chatwoot.conversations({ inboxId: inbox })).toHaveLength(1);
    expect(conversation.status).toBe('open');
  });

  it('a contact deleted in Chatwoot (with its conversation) is made again for the next message, which is not skipped', async () => {
    const { name, integrationId } = await connectedInstance(stack, 'contact-gone');
    const inbox = await inboxOf(name);
    await receive(stack, name, { from: phone(96), name: 'Ivo', text: 'um' });
    await waitFor('first', () => inboxMessages(inbox).length === 1);
    // As an agent deleting the contact in Chatwoot's UI: its conversations and messages go with it.
    const store = stack.chatwoot.store;
    const contact = stack.chatwoot.contacts().find((c) => c.phoneNumber === `+${phone(96)}`)!;
    for (const [id, c] of store.conversations) if (c.contactId === contact.id) store.conversations.delete(id);
    for (const [id, ci] of store.contactInboxes) if (ci.contactId === contact.id) store.contactInboxes.delete(id);
    for (const [id, m] of store.messages) if (m.inboxId === inbox) store.messages.delete(id);
    store.contacts.delete(contact.id);
    await receive(stack, name, { from: phone(96), name: 'Ivo', text: 'dois' });
    await waitFor('second', () => inboxMessages(inbox).length === 1 && inboxMessages(inbox)[0].content === 'dois');
    const again = stack.chatwoot.contacts().find((c) => c.phoneNumber === `+${phone(96)}`)!;
    expect(again.id).not.toBe(contact.id);
    expect((await bridgeStatus(integrationId)).last_error).toBe('');
  });

  it('a poison message (a 4xx for that one event) is recorded in last_error, skipped and acked; the stream goes on', async () => {
    const { name, integrationId } = await connectedInstance(stack, 'poison');
    const inbox = await inboxOf(name);
    await receive(stack, name, { from: phone(95), name: 'Rita', text: 'antes' });
    await waitFor('before', () => inboxMessages(inbox).length === 1);
    stack.chatwoot.failNext(1, 400, { method: 'POST', path: /\/messages$/, body: { error: 'content is too long' } });
    await receive(stack, name, { from: phone(95), name: 'Rita', text: 'veneno' });
    await receive(stack, name, { from: phone(95), name: 'Rita', text: 'depois' });
    await waitFor('after', () => inboxMessages(inbox).length === 2);
    expect(inboxMessages(inbox).map((m) => m.content)).toEqual(['antes', 'depois']);
    const status = await bridgeStatus(integrationId);
    expect(status.status).toBe('active');
    expect(status.last_error).toMatch(/^event \d+ \(message .+\) skipped: Chatwoot at http:\/\/127\.0\.0\.1:\d+ refused it with HTTP 400: content is too long$/);
    await waitFor('acked', async () => (await api(stack.ryze.url, stack.account).get(`/api/chatwoot/list/${name}`)).body.pending_events === 0);
  });

  it('a Chatwoot outage loses and duplicates nothing; the status says what is wrong meanwhile', async () => {
    const { name, integrationId } = await connectedInstance(stack, 'outage');
    const inbox = await inboxOf(name);
    await receive(stack, name, { from: phone(100), name: 'Gil', text: 'm0' });
    await waitFor('first', () => inboxMessages(inbox).length === 1);
    await stack.chatwoot.outage(503);
    for (let n = 1; n <= 10; n++) await receive(stack, name, { from: phone(100 + (n % 3)), name: 'Gil', text: `m${n}` });
    const status = await waitFor('error status', async () => {
      const s = await bridgeStatus(integrationId);
      return s.status === 'error' ? s : undefined;
    });
    expect(status.last_error).toMatch(/^Chatwoot at http:\/\/127\.0\.0\.1:\d+ is unavailable \(HTTP 503: .+\); retrying$/);
    expect((await api(stack.ryze.url, stack.account).get(`/api/chatwoot/list/${name}`)).body.pending_events).toBeGreaterThan(0);
    await stack.chatwoot.outage('refuse');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.chatwoot.outage(null);
    await waitFor('all written', () => inboxMessages(inbox).length === 11, 20_000);
    expectOnce(inbox);
    for (const contents of contentsByConversation(inbox).values()) {
      const numbers = contents.map((c) => Number(c.slice(1)));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    await waitFor('active again', async () => (await bridgeStatus(integrationId)).status === 'active');
  });

  it('a 429 storm is ridden out (Retry-After), never a poison message', async () => {
    const { name, integrationId } = await connectedInstance(stack, 'storm');
    const inbox = await inboxOf(name);
    stack.chatwoot.rateLimit(12, 1);
    await Promise.all(Array.from({ length: 6 }, (_, c) => receive(stack, name, { from: phone(200 + c), name: `R${c}`, text: `storm ${c}` })));
    await waitFor('all through the storm', () => inboxMessages(inbox).length === 6, 30_000);
    expectOnce(inbox);
    expect((await bridgeStatus(integrationId)).last_error).toBe('');
    expect(stack.chatwoot.requests.filter((r) => r.status === 429).length).toBe(12);
  });

  it('a restart of the bridge mid-stream loses and duplicates nothing, even when a write was cut between Chatwoot and the bridge\'s record', async () => {
    const { name } = await connectedInstance(stack, 'restart');
    const inbox = await inboxOf(name);
    stack.chatwoot.latencyMs = 30;
    const total = 60;
    const sending = (async () => {
      for (let n = 0; n < total; n++) await receive(stack, name, { from: phone(300 + (n % 4)), name: `P${n % 4}`, text: `r${n}` });
    })();
    await waitFor('some written', () => inboxMessages(inbox).length >= 10);
    const getsBefore = stack.chatwoot.calls('GET', /\/messages$/);
    await stack.restartBridge(async () => {
      // As if the bridge had crashed after Chatwoot stored each message but before its own record:
      // the bridge must find them in Chatwoot (by WAID source id) instead of writing them again.
      await stack.ryze.app.get(DataSource).query(`UPDATE bridge_message_links SET chatwoot_message_id = 0`);
    });
    await sending;
    stack.chatwoot.latencyMs = 0;
    await waitFor('every message once', () => inboxMessages(inbox).length >= total, 30_000);
    await waitFor('acked', async () => (await api(stack.ryze.url, stack.account).get(`/api/chatwoot/list/${name}`)).body.pending_events === 0);
    expect(inboxMessages(inbox)).toHaveLength(total);
    expectOnce(inbox);
    for (const contents of contentsByConversation(inbox).values()) {
      const numbers = contents.map((c) => Number(c.slice(1)));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    expect(stack.chatwoot.conversations({ inboxId: inbox })).toHaveLength(4);
    // The cut writes were reconciled by looking in Chatwoot, not written again.
    expect(stack.chatwoot.calls('GET', /\/messages$/)).toBeGreaterThan(getsBefore);
  });
});
