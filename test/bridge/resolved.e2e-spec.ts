import { describe, expect, it } from '@jest/globals';
import { ChatsRepository } from '../../src/bridge/relay/chats.repository.js';
import { waitFor } from '../support/channel-helpers.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { connectedInstance, receive, type Stack, useStack } from '../support/test-bridge.js';

const phone = (i: number) => `55117${String(i).padStart(8, '0')}`;

/** The customer's message `text` once in Chatwoot. */
async function customerWrites(stack: Stack, c: { name: string; customer: number; inboxId: number }, text: string) {
  await receive(stack, c.name, { from: phone(c.customer), name: `Cliente ${c.customer}`, text });
  return waitFor(`"${text}" in Chatwoot`, () => stack.chatwoot.messages().find((m) => m.inboxId === c.inboxId && m.content === text));
}

/** An instance whose customer wrote once: its integration, inbox and first conversation. */
async function customerWrote(stack: Stack, instance: string, customer: number, settings: Record<string, unknown> = {}) {
  const { name, integrationId } = await connectedInstance(stack, instance, settings);
  const inboxId = (await api(stack.ryze.url, stack.account).get(`/api/chatwoot/list/${name}`)).body.chatwoot_inbox_id as number;
  const inbox = stack.chatwoot.inboxes().find((i) => i.id === inboxId)!;
  registerSecret(inbox.webhookUrl.split('/').pop());
  const c = { name, integrationId, inboxId, inbox, customer, jid: `${phone(customer)}@s.whatsapp.net` };
  const first = await customerWrites(stack, c, 'um');
  return { ...c, conversationId: first.conversationId };
}

/** The customer's message `text` written with one Chatwoot call (its conversation known and trusted). */
async function writtenWithOneCall(stack: Stack, c: { name: string; customer: number; inboxId: number }, text: string) {
  const before = stack.chatwoot.requests.length;
  const message = await customerWrites(stack, c, text);
  expect(stack.chatwoot.requests.length - before).toBe(1);
  return message;
}

/**
 * A conversation an agent resolves in Chatwoot (SPEC 13.3): the customer's next message goes to a
 * new conversation, or to the same one reopened with reopenResolved, never silently to the resolved one.
 */
describe('bridge: a conversation resolved in Chatwoot', () => {
  // As Chatwoot does: status changes (and what the bridge writes) come back on the inbox webhook.
  const stackOf = useStack({ apiWebhooks: true });

  const conversation = (id: number) => stackOf().chatwoot.conversations().find((c) => c.id === id)!;
  const inboxConversations = (inboxId: number) => stackOf().chatwoot.conversations({ inboxId });
  const answers = (deliveries: { event: string; status: number; responseText?: string }[]) =>
    deliveries.map((d) => `${d.event} ${d.status} ${d.responseText ?? ''}`);

  it('without reopenResolved: the next message opens a new conversation, and the following ones go to it', async () => {
    const stack = stackOf();
    const c = await customerWrote(stack, 'resolved-new', 1);
    const deliveries = await stack.chatwoot.changeStatus(c.conversationId, 'resolved');
    expect(answers(deliveries)).toEqual([
      'conversation_status_changed 200 {"status":"noted","conversation_status":"resolved","chats":1}',
      'conversation_updated 200 {"status":"ignored","reason":"event conversation_updated"}',
    ]);
    const second = await customerWrites(stack, c, 'dois');
    expect(second.conversationId).not.toBe(c.conversationId);
    expect(conversation(c.conversationId).status).toBe('resolved');
    expect(conversation(second.conversationId)).toMatchObject({ status: 'open', contactId: conversation(c.conversationId).contactId });
    expect(stack.chatwoot.messages(c.conversationId).map((m) => m.content)).toEqual(['um']);

    // The new conversation is the chat's now: one Chatwoot call per message again.
    expect((await writtenWithOneCall(stack, c, 'três')).conversationId).toBe(second.conversationId);
    expect(inboxConversations(c.inboxId)).toHaveLength(2);
  });

  it('with reopenResolved: the same conversation is reopened (toggle_status) and gets the message', async () => {
    const stack = stackOf();
    const c = await customerWrote(stack, 'resolved-reopen', 2, { reopenResolved: true });
    await stack.chatwoot.changeStatus(c.conversationId, 'resolved');
    const second = await customerWrites(stack, c, 'dois');
    expect(second.conversationId).toBe(c.conversationId);
    expect(conversation(c.conversationId).status).toBe('open');
    expect(stack.chatwoot.calls('POST', `/conversations/${c.conversationId}/toggle_status`)).toBe(1);
    expect(inboxConversations(c.inboxId)).toHaveLength(1);
  });

  it('with startAsPending: the new conversation starts pending', async () => {
    const stack = stackOf();
    const c = await customerWrote(stack, 'resolved-pending', 3, { startAsPending: true });
    expect(conversation(c.conversationId).status).toBe('pending');
    await stack.chatwoot.changeStatus(c.conversationId, 'resolved');
    const second = await customerWrites(stack, c, 'dois');
    expect(second.conversationId).not.toBe(c.conversationId);
    expect(conversation(second.conversationId).status).toBe('pending');
    expect(conversation(c.conversationId).status).toBe('resolved');
  });

  it('resolved then reopened by the agent: the next message goes to it, with no lookup', async () => {
    const stack = stackOf();
    const c = await customerWrote(stack, 'resolved-agent-reopens', 4);
    await stack.chatwoot.changeStatus(c.conversationId, 'resolved');
    const reopened = await stack.chatwoot.changeStatus(c.conversationId, 'open');
    expect(reopened[0].responseText).toBe('{"status":"noted","conversation_status":"open","chats":1}');
    expect((await writtenWithOneCall(stack, c, 'dois')).conversationId).toBe(c.conversationId);
    expect(inboxConversations(c.inboxId)).toHaveLength(1);
  });

  it("another inbox's status change is ignored", async () => {
    const stack = stackOf();
    const c = await customerWrote(stack, 'resolved-other-inbox', 5);
    const other = stack.chatwoot.addInbox('Other inbox');
    const foreign = stack.chatwoot.addConversation(other.id, { phoneNumber: `+${phone(55)}` });
    foreign.status = 'resolved';
    const [body] = stack.chatwoot.views.statusChangeWebhooks(foreign, 'open');
    // Same conversation id as the chat's, another inbox: not the chat's conversation.
    const forged = await stack.chatwoot.deliverWebhook(c.inboxId, { ...body, id: c.conversationId }, { url: c.inbox.webhookUrl });
    expect(answers(forged)).toEqual(['conversation_status_changed 200 {"status":"ignored","reason":"another inbox"}']);
    expect((await stack.bridge.app.get(ChatsRepository).find(c.integrationId, c.jid))?.conversationId).toBe(c.conversationId);
  });

  it('a resolution missed while the bridge was down is caught by one status check before the next message', async () => {
    const stack = stackOf();
    const c = await customerWrote(stack, 'resolved-missed', 6);
    let missed: { status: number }[] = [];
    await stack.restartBridge(async () => {
      missed = await stack.chatwoot.changeStatus(c.conversationId, 'resolved');
    });
    expect(missed.map((d) => d.status)).toEqual([0, 0]);
    const checks = () => stack.chatwoot.calls('GET', new RegExp(`/conversations/${c.conversationId}$`));
    const second = await customerWrites(stack, c, 'dois');
    expect(second.conversationId).not.toBe(c.conversationId);
    expect(checks()).toBe(1);
    // Checked once: the next messages go straight to the new conversation.
    expect((await writtenWithOneCall(stack, c, 'três')).conversationId).toBe(second.conversationId);
  });

  it('a status change unsigned (when the inbox signs), badly signed, stale or to a wrong secret is refused and changes nothing; signed, it is acted on', async () => {
    const stack = stackOf();
    const c = await customerWrote(stack, 'forged-status', 7);
    const { inboxId, inbox, integrationId, jid } = c;
    // The inbox signs its webhooks (Chatwoot 4.13+); running set again gives the bridge its secret.
    stack.chatwoot.setSigningSecret(inboxId, 'a-signing-secret-for-status-changes');
    const again = await api(stack.ryze.url, stack.account).post(`/api/chatwoot/set/${c.name}`, { chatwootBaseUrl: stack.chatwoot.url, chatwootAccountId: stack.chatwoot.accountId, chatwootApiToken: stack.chatwoot.token });
    expect(again.status).toBeLessThan(300);
    const write = (text: string) => customerWrites(stack, c, text);
    const chats = stack.bridge.app.get(ChatsRepository);

    const refused = await stack.chatwoot.changeStatus(c.conversationId, 'resolved', { tamper: 'unsigned' });
    const body = stack.chatwoot.views.statusChangeWebhooks(stack.chatwoot.conversations({ inboxId })[0], 'open')[0];
    for (const tamper of ['signature', 'stale-timestamp'] as const) refused.push(...(await stack.chatwoot.deliverWebhook(inboxId, body, { tamper })));
    const wrongSecret = inbox.webhookUrl.slice(0, -1) + (inbox.webhookUrl.endsWith('x') ? 'y' : 'x');
    refused.push(...(await stack.chatwoot.deliverWebhook(inboxId, body, { url: wrongSecret })));
    expect(refused.map((d) => d.status)).toEqual([401, 401, 401, 401, 404]);
    expect((await chats.find(integrationId, jid))?.conversationId).toBe(c.conversationId);
    // Not told (truly) that it was resolved, the bridge writes to it; Chatwoot reopens it for the customer.
    expect((await write('dois')).conversationId).toBe(c.conversationId);

    await stack.chatwoot.webhooks.settle(); // the reopening's own webhook first
    const signed = await stack.chatwoot.changeStatus(c.conversationId, 'resolved');
    expect(signed.map((d) => d.status)).toEqual([200, 200]);
    expect((await chats.find(integrationId, jid))?.conversationId).toBe(0);
    expect((await write('três')).conversationId).not.toBe(c.conversationId);
  });
});
