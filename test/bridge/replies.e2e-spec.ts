import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { RyzeApiChannel } from '../../src/bridge/channel/ryzeapi.channel.js';
import { IntegrationsRepository } from '../../src/bridge/integrations/integrations.repository.js';
import { EngineEvents } from '../../src/ryzeapi/engine/engine-events.js';
import { sleep, waitFor } from '../support/channel-helpers.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { connectedInstance, receive, startStack, type Stack } from '../support/test-bridge.js';

interface Sent {
  message_id: string;
  to: string;
  text: string | null;
  media: { type: string; url: string; file_name?: string } | null;
  source: string;
  command_id: string | null;
}

/** Chatwoot → WhatsApp (SPEC 13.4): agents' replies reach the customer once, whatever happens in between. */
describe('bridge: Chatwoot → WhatsApp', () => {
  let stack: Stack;
  const phone = (i: number) => `55118${String(i).padStart(8, '0')}`;
  const ryze = () => api(stack.ryze.url, stack.account);

  const sent = async (instance: string): Promise<Sent[]> => (await ryze().get(`/api/sandbox/sent/${instance}`)).body.data;
  const sentFor = async (instance: string, chatwootMessageId: number) =>
    (await sent(instance)).filter((s) => s.command_id === `cw-${chatwootMessageId}` || s.command_id?.startsWith(`cw-${chatwootMessageId}-`));
  const deliveriesOf = (chatwootMessageId: number) =>
    stack.chatwoot.webhooks.attempts.filter((a) => a.event === 'message_created' && a.status === 200 && a.responseText?.includes('"accepted"') && a.deliveryId && deliveredIds.get(a.deliveryId) === chatwootMessageId).length;
  const deliveredIds = new Map<string, number>();
  const track = (messageId: number, deliveries: { deliveryId: string }[]) => deliveries.forEach((d) => deliveredIds.set(d.deliveryId, messageId));

  /** An instance with an integration and a conversation opened by a customer's first message. */
  async function conversationWith(instance: string, customer: number, settings: Record<string, unknown> = {}) {
    const { name, integrationId } = await connectedInstance(stack, instance, settings);
    const inboxId = (await ryze().get(`/api/chatwoot/list/${name}`)).body.chatwoot_inbox_id as number;
    const inbox = stack.chatwoot.inboxes().find((i) => i.id === inboxId)!;
    registerSecret(inbox.webhookUrl.split('/').pop());
    const whatsappId = await receive(stack, name, { from: phone(customer), name: `Cliente ${customer}`, text: 'Oi, preciso de ajuda' });
    await waitFor('the customer message in Chatwoot', () => stack.chatwoot.messages().find((m) => m.inboxId === inboxId));
    const conversationId = stack.chatwoot.messages().find((m) => m.inboxId === inboxId)!.conversationId;
    return { name, integrationId, inbox, inboxId, conversationId, whatsappId };
  }

  /** The conversation as an agent sees it: public messages in order, [type, content]. */
  const chatwootView = (conversationId: number) =>
    stack.chatwoot
      .messages(conversationId)
      .filter((m) => !m.private && m.messageType !== 'activity')
      .map((m) => [m.messageType, m.content ?? '']);
  const notes = (conversationId: number) => stack.chatwoot.messages(conversationId).filter((m) => m.private).map((m) => m.content ?? '');

  beforeAll(async () => {
    // As Chatwoot does: what the bridge writes through the API comes back on the inbox webhook too.
    stack = await startStack({ apiWebhooks: true });
  });

  afterEach(() => {
    stack.chatwoot.assertNoViolations();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('an agent reply reaches WhatsApp once, signed with the agent name, even when the webhook is delivered twice', async () => {
    const c = await conversationWith('dup', 1, { signMessages: true });
    const first = await stack.chatwoot.agentReply(c.conversationId, { content: 'Olá! Como posso ajudar?', senderName: 'Alice', duplicate: true });
    track(first.message.id, first.deliveries);
    const second = await stack.chatwoot.agentReply(c.conversationId, { content: 'Pode mandar o pedido?', senderName: 'Alice', duplicate: 'concurrent' });
    track(second.message.id, second.deliveries);
    expect([...first.deliveries, ...second.deliveries].map((d) => d.status)).toEqual([200, 200, 200, 200]);
    // Chatwoot redelivers the first one later, with the same X-Chatwoot-Delivery.
    track(first.message.id, await stack.chatwoot.deliverWebhook(c.inboxId, first.payload, { deliveryId: first.deliveries[0].deliveryId }));

    await waitFor('both replies on WhatsApp', async () => (await sent(c.name)).length === 2);
    await sleep(300); // a second send would be on its way by now
    const out = await sent(c.name);
    expect(out.map((s) => [s.command_id, s.to, s.text, s.source])).toEqual([
      [`cw-${first.message.id}`, `${phone(1)}@s.whatsapp.net`, '*Alice*:\nOlá! Como posso ajudar?', 'chatwoot'],
      [`cw-${second.message.id}`, `${phone(1)}@s.whatsapp.net`, '*Alice*:\nPode mandar o pedido?', 'chatwoot'],
    ]);
    const figures = { deliveries: deliveriesOf(first.message.id) + deliveriesOf(second.message.id), sends: out.length };
    console.log(`duplicate deliveries: ${JSON.stringify(figures)}`);
    expect(figures).toEqual({ deliveries: 5, sends: 2 });
    // The echoes are not written back: Chatwoot holds the customer's message and the two replies, once each.
    await waitFor('echoes acked', async () => (await ryze().get(`/api/chatwoot/list/${c.name}`)).body.pending_events === 0);
    expect(chatwootView(c.conversationId)).toEqual([
      ['incoming', 'Oi, preciso de ajuda'],
      ['outgoing', 'Olá! Como posso ajudar?'],
      ['outgoing', 'Pode mandar o pedido?'],
    ]);
  });

  it('a reply stored while the bridge is cut from RyzeAPI is sent once after the bridge restarts', async () => {
    const c = await conversationWith('restart', 2);
    await stack.bridge.app.get(RyzeApiChannel).close(c.integrationId); // the socket is down: nothing can be sent
    const reply = await stack.chatwoot.agentReply(c.conversationId, { content: 'Resposta durante a queda' });
    track(reply.message.id, reply.deliveries);
    expect(reply.deliveries[0].status).toBe(200); // stored: Chatwoot will not retry
    await sleep(300);
    expect(await sent(c.name)).toEqual([]);

    await stack.restartBridge(async () => {
      // Chatwoot redelivers it while the bridge is down (refused), then once it is back.
      const down = await stack.chatwoot.deliverWebhook(c.inboxId, reply.payload);
      track(reply.message.id, down);
      expect(down[0].status).toBe(0);
    });
    track(reply.message.id, await stack.chatwoot.deliverWebhook(c.inboxId, reply.payload));
    await waitFor('the reply on WhatsApp', async () => (await sent(c.name)).length === 1);

    // A reply whose send is on its way when the bridge restarts: sent again, executed once.
    const racing = await stack.chatwoot.agentReply(c.conversationId, { content: 'Resposta no meio do reinício' });
    track(racing.message.id, racing.deliveries);
    await stack.restartBridge();
    await waitFor('the second reply on WhatsApp', async () => (await sent(c.name)).length === 2);
    await sleep(300);
    const out = await sent(c.name);
    expect(out.map((s) => [s.command_id, s.text])).toEqual([
      [`cw-${reply.message.id}`, 'Resposta durante a queda'],
      [`cw-${racing.message.id}`, 'Resposta no meio do reinício'],
    ]);
    const figures = {
      deliveries: stack.chatwoot.webhooks.attempts.filter((a) => [reply.message.id, racing.message.id].includes(deliveredIds.get(a.deliveryId) ?? -1)).length,
      answered200: deliveriesOf(reply.message.id) + deliveriesOf(racing.message.id),
      sends: out.length,
    };
    console.log(`restart: ${JSON.stringify(figures)}`);
    expect(figures).toEqual({ deliveries: 4, answered200: 3, sends: 2 });
  });

  it('replies queued while RyzeAPI is unreachable go out in order, one at a time per conversation', async () => {
    const a = await conversationWith('queued', 10);
    await receive(stack, a.name, { from: phone(11), name: 'Cliente 11', text: 'outro cliente' });
    await waitFor('the second conversation', () => stack.chatwoot.conversations({ inboxId: a.inboxId }).length === 2);
    const b = stack.chatwoot.conversations({ inboxId: a.inboxId }).find((conv) => conv.id !== a.conversationId)!;
    const channel = stack.bridge.app.get(RyzeApiChannel);
    await channel.close(a.integrationId);
    const texts: Record<number, string[]> = { [a.conversationId]: [], [b.id]: [] };
    for (let n = 0; n < 4; n++) {
      for (const conversationId of [a.conversationId, b.id]) {
        const content = `fila ${conversationId} ${n}`;
        await stack.chatwoot.agentReply(conversationId, { content });
        texts[conversationId].push(content);
      }
    }
    // What goes on the socket, and what comes back: `send` a, `result` a, then the next of that conversation.
    const trace: string[] = [];
    const send = channel.send.bind(channel);
    channel.send = (id, frame) => (trace.push(`send ${frame.text}`), send(id, frame));
    const off = channel.onResult((_id, frame) => trace.push(`result ${frame.id}`));
    try {
      await channel.open((await stack.bridge.app.get(IntegrationsRepository).find(a.integrationId))!);
      await waitFor('every queued reply on WhatsApp', async () => (await sent(a.name)).length === 8);
    } finally {
      channel.send = send;
      off();
    }
    const out = await sent(a.name);
    for (const [conversationId, expected] of Object.entries(texts)) {
      const jid = `${phone(Number(conversationId) === a.conversationId ? 10 : 11)}@s.whatsapp.net`;
      expect(out.filter((s) => s.to === jid).map((s) => s.text)).toEqual(expected);
      // Never two of one conversation on their way at once.
      const sends = trace.filter((t) => expected.includes(t.slice(5)));
      expect(sends).toEqual(expected.map((t) => `send ${t}`));
      for (let n = 1; n < expected.length; n++) {
        const previous = out.find((s) => s.text === expected[n - 1])!.command_id;
        expect(trace.indexOf(`result ${previous}`)).toBeLessThan(trace.indexOf(`send ${expected[n]}`));
      }
    }
  });

  it('private notes, activity messages, incoming messages, its own writes and other inboxes send nothing', async () => {
    const c = await conversationWith('ignored', 3);
    const url = c.inbox.webhookUrl;
    const answers: string[] = [];
    const note = await stack.chatwoot.agentReply(c.conversationId, { content: 'nota interna', private: true });
    const activity = await stack.chatwoot.activityMessage(c.conversationId, 'Conversation was marked resolved by Alice');
    const incoming = await stack.chatwoot.postMessage(c.conversationId, { messageType: 'incoming', content: 'from the widget' });
    const own = await stack.chatwoot.agentReply(c.conversationId, { content: 'written by the bridge', sourceId: 'WAID:3EB0FFFF' });
    const other = stack.chatwoot.addInbox('Other inbox');
    const otherConversation = stack.chatwoot.addConversation(other.id, { phoneNumber: `+${phone(33)}` });
    const foreign = await stack.chatwoot.agentReply(otherConversation.id, { content: 'other inbox', url });
    const status = await stack.chatwoot.deliverWebhook(c.inboxId, { event: 'conversation_updated', id: c.conversationId, status: 'resolved' });
    for (const r of [note, activity, incoming, own, foreign]) answers.push(...r.deliveries.map((d) => `${d.status} ${JSON.parse(d.responseText!).reason}`));
    answers.push(...status.map((d) => `${d.status} ${JSON.parse(d.responseText!).reason}`));
    expect(answers).toEqual([
      '200 private note',
      '200 message_type activity',
      '200 message_type incoming',
      '200 written by the bridge',
      '200 another inbox',
      '200 event conversation_updated',
    ]);
    // The customer's message came back on the webhook too (apiWebhooks), as incoming: ignored.
    await sleep(300);
    expect(await sent(c.name)).toEqual([]);
  });

  it('forged deliveries are refused: unknown integration or wrong secret 404 alike; body over 1 MiB 413', async () => {
    const c = await conversationWith('forged', 4);
    const reply = await stack.chatwoot.agentReply(c.conversationId, { content: 'forjada', deliver: false });
    const [base, integration, secret] = c.inbox.webhookUrl.split(/\/(int_[0-9a-f]+)\//).flatMap((p, i) => (i === 2 ? p.split('/') : [p]));
    expect(integration).toBe(c.integrationId);
    const attempts = [
      `${base}/${integration}/${secret.slice(0, -1)}x`,
      `${base}/${integration}/`,
      `${base}/int_000000000000000000000000/${secret}`,
      `${base}/${integration}x/${secret}`,
    ];
    const answers = [];
    for (const url of attempts) answers.push(...(await stack.chatwoot.deliverWebhook(c.inboxId, reply.payload, { url })));
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404]);
    expect(new Set(answers.map((a) => a.responseText)).size).toBe(1);
    expect(answers[0].responseText).toBe(JSON.stringify({ error: { message: 'not found' } }));

    const big = await fetch(c.inbox.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...reply.payload, padding: 'x'.repeat(1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: { message: expect.any(String) } });
    await sleep(300);
    expect(await sent(c.name)).toEqual([]);
  });

  it('signed webhooks (Chatwoot 4.13+): the secret comes with the inbox; a bad, stale or missing signature sends nothing', async () => {
    const c = await conversationWith('signed', 5);
    // The inbox gets a signing secret in Chatwoot; running set again reads it from the inbox's answer.
    stack.chatwoot.setSigningSecret(c.inboxId, 'a-signing-secret-for-this-inbox');
    const again = await ryze().post(`/api/chatwoot/set/${c.name}`, { chatwootBaseUrl: stack.chatwoot.url, chatwootAccountId: stack.chatwoot.accountId, chatwootApiToken: stack.chatwoot.token });
    expect(again.status).toBeLessThan(300);
    expect(c.inbox.signingSecret).toBeTruthy();
    const reply = await stack.chatwoot.agentReply(c.conversationId, { content: 'assinada', deliver: false });
    const refused = [];
    for (const tamper of ['signature', 'stale-timestamp', 'unsigned'] as const) refused.push(...(await stack.chatwoot.deliverWebhook(c.inboxId, reply.payload, { tamper })));
    expect(refused.map((a) => a.status)).toEqual([401, 401, 401]);
    expect(refused.map((a) => JSON.parse(a.responseText!).error.message)).toEqual([
      'invalid signature: X-Chatwoot-Signature does not match',
      'invalid signature: X-Chatwoot-Timestamp is more than 5 minutes away from now',
      'invalid signature: the delivery is not signed (X-Chatwoot-Signature and X-Chatwoot-Timestamp are required)',
    ]);
    await sleep(300);
    expect(await sent(c.name)).toEqual([]);
    const good = await stack.chatwoot.deliverWebhook(c.inboxId, reply.payload);
    expect(good[0].status).toBe(200);
    await waitFor('the signed reply on WhatsApp', async () => (await sent(c.name)).length === 1);
    expect((await sent(c.name))[0].text).toBe('assinada');
  });

  it('attachments: one media send each, after the text, with the file Chatwoot serves', async () => {
    const c = await conversationWith('media', 6);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const reply = await stack.chatwoot.agentReply(c.conversationId, {
      content: 'Segue a foto e o boleto',
      attachments: [
        { name: 'foto.png', contentType: 'image/png', data: png },
        { name: 'boleto.pdf', contentType: 'application/pdf', data: '%PDF-1.4 boleto' },
      ],
    });
    const onlyFile = await stack.chatwoot.agentReply(c.conversationId, { content: null, attachments: [{ name: 'audio.ogg', contentType: 'audio/ogg', data: 'OggS' }] });
    await waitFor('four sends', async () => (await sent(c.name)).length === 4);
    const out = await sent(c.name);
    expect(out.map((s) => [s.command_id, s.text, s.media?.type ?? null, s.media?.file_name ?? null])).toEqual([
      [`cw-${reply.message.id}`, 'Segue a foto e o boleto', null, null],
      [`cw-${reply.message.id}-1`, null, 'image', 'foto.png'],
      [`cw-${reply.message.id}-2`, null, 'document', 'boleto.pdf'],
      [`cw-${onlyFile.message.id}-1`, null, 'audio', 'audio.ogg'],
    ]);
    const served = Buffer.from(await (await fetch(out[1].media!.url)).arrayBuffer());
    expect(served.equals(png)).toBe(true);
  });

  it('reply_to: a reply to a specific customer message quotes its WhatsApp id', async () => {
    const c = await conversationWith('quote', 7);
    const customerMessage = stack.chatwoot.messages(c.conversationId)[0];
    const reply = await stack.chatwoot.agentReply(c.conversationId, { content: 'Sobre isso:', inReplyTo: customerMessage.id });
    const unknown = await stack.chatwoot.agentReply(c.conversationId, { content: 'sem citação', inReplyTo: 999_999 });
    await waitFor('both sends', async () => (await sent(c.name)).length === 2);
    const rows = await stack.ryze.app.get(DataSource).query(`SELECT command_id, reply_to FROM sandbox_messages WHERE command_id IN ($1, $2) ORDER BY seq`, [
      `cw-${reply.message.id}`,
      `cw-${unknown.message.id}`,
    ]);
    expect(rows).toEqual([
      { command_id: `cw-${reply.message.id}`, reply_to: c.whatsappId },
      { command_id: `cw-${unknown.message.id}`, reply_to: null },
    ]);
  });

  it('failures become one private note each: instance not connected, no WhatsApp contact, message.status error', async () => {
    const c = await conversationWith('failing', 8);
    expect((await ryze().delete(`/api/instance/logout/${c.name}`)).status).toBeLessThan(300);
    const reply = await stack.chatwoot.agentReply(c.conversationId, { content: 'não vai chegar' });
    await waitFor('a note', () => notes(c.conversationId).length === 1);
    expect(notes(c.conversationId)).toEqual(['⚠️ This reply was not delivered to WhatsApp: Instance is not connected to WhatsApp']);
    // The note came back on the webhook (private): nothing else happens.
    await sleep(300);
    expect(notes(c.conversationId)).toHaveLength(1);
    expect(await sent(c.name)).toEqual([]);
    // Chatwoot redelivers the reply: still one note, still nothing sent.
    await stack.chatwoot.deliverWebhook(c.inboxId, reply.payload);
    await sleep(300);
    expect(notes(c.conversationId)).toHaveLength(1);

    // A conversation opened in Chatwoot for a contact without a number: nothing to send it to.
    const nobody = stack.chatwoot.addConversation(c.inboxId, { name: 'Sem número' });
    await stack.chatwoot.agentReply(nobody.id, { content: 'para quem?' });
    await waitFor('the no-recipient note', () => notes(nobody.id).length === 1);
    expect(notes(nobody.id)[0]).toMatch(/not delivered to WhatsApp: the conversation has no WhatsApp contact/);

    // Connected again; a contact Chatwoot knows by number only (not a chat of the bridge's) is reached.
    await ryze().get(`/api/instance/connect/${c.name}`);
    const byNumber = stack.chatwoot.addConversation(c.inboxId, { name: 'Novo', phoneNumber: `+${phone(88)}` });
    const ok = await stack.chatwoot.agentReply(byNumber.id, { content: 'chegou' });
    await waitFor('sent by number', async () => (await sent(c.name)).length === 1);
    const [delivered] = await sent(c.name);
    expect(delivered).toMatchObject({ command_id: `cw-${ok.message.id}`, to: `${phone(88)}@s.whatsapp.net`, text: 'chegou' });

    // WhatsApp later reports it failed (the sandbox never fails a delivery: its engine event is raised
    // here as a real engine raises it, and travels RyzeAPI's outbox and socket as any other): one note,
    // however many times the status comes.
    const [ref] = await stack.ryze.app.get(DataSource).query(`SELECT id FROM instances WHERE name = $1`, [c.name]);
    const events = stack.ryze.app.get(EngineEvents);
    const status = { message_id: delivered.message_id, chat_jid: delivered.to, status: 'error' as const, timestamp: Math.floor(Date.now() / 1000) };
    await events.publish({ instance: { id: ref.id, name: c.name }, event: 'message.status', data: status });
    await events.publish({ instance: { id: ref.id, name: c.name }, event: 'message.status', data: status });
    await waitFor('the status note', () => notes(byNumber.id).length === 1);
    await waitFor('statuses acked', async () => (await ryze().get(`/api/chatwoot/list/${c.name}`)).body.pending_events === 0);
    expect(notes(byNumber.id)).toEqual(['⚠️ WhatsApp reported that this reply could not be delivered to the customer.']);
  });

  it('a long conversation in both directions ends with the same messages in the same order on both sides', async () => {
    const c = await conversationWith('long', 9);
    const expected: [string, string][] = [['incoming', 'Oi, preciso de ajuda']];
    for (let round = 0; round < 6; round++) {
      // A burst from the agent (not waiting between replies), then a burst from the customer.
      for (let n = 0; n < 3; n++) {
        const text = `agente r${round} n${n}`;
        await stack.chatwoot.agentReply(c.conversationId, { content: text });
        expected.push(['outgoing', text]);
      }
      await waitFor(`round ${round} replies`, async () => (await sent(c.name)).length === 3 * (round + 1));
      for (let n = 0; n < 3; n++) {
        const text = `cliente r${round} n${n}`;
        await receive(stack, c.name, { from: phone(9), name: 'Cliente 9', text });
        expected.push(['incoming', text]);
      }
      await waitFor(`round ${round} customer messages`, () => chatwootView(c.conversationId).length === expected.length);
    }
    await waitFor('everything acked', async () => (await ryze().get(`/api/chatwoot/list/${c.name}`)).body.pending_events === 0);
    expect(chatwootView(c.conversationId)).toEqual(expected);
    const whatsapp = await stack.ryze.app
      .get(DataSource)
      .query(`SELECT direction, text FROM sandbox_messages m JOIN instances i ON i.id = m.instance_id WHERE i.name = $1 AND m.chat_jid = $2 ORDER BY m.seq`, [c.name, `${phone(9)}@s.whatsapp.net`]);
    expect(whatsapp.map((m: { direction: string; text: string }) => [m.direction, m.text])).toEqual(expected);
  });
});

/** Chatwoot 4.13+ gives every new API inbox a signing secret: the bridge takes it from the inbox it creates. */
describe('bridge: signed webhooks from the inbox creation on', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ apiWebhooks: true, signingSecrets: true });
  });

  afterAll(async () => {
    stack.chatwoot.assertNoViolations();
    await stack?.close();
  });

  it('a reply signed by Chatwoot is sent; the same body unsigned is refused', async () => {
    const { name } = await connectedInstance(stack, 'signed-at-creation');
    const client = api(stack.ryze.url, stack.account);
    const inboxId = (await client.get(`/api/chatwoot/list/${name}`)).body.chatwoot_inbox_id as number;
    const inbox = stack.chatwoot.inboxes().find((i) => i.id === inboxId)!;
    registerSecret(inbox.webhookUrl.split('/').pop());
    expect(inbox.signingSecret).toEqual(expect.any(String));
    await receive(stack, name, { from: '5511777777777', name: 'Rita', text: 'oi' });
    const conversation = await waitFor('the conversation', () => stack.chatwoot.conversations({ inboxId })[0]);
    const unsigned = await stack.chatwoot.agentReply(conversation.id, { content: 'sem assinatura', tamper: 'unsigned' });
    expect(unsigned.deliveries.map((d) => d.status)).toEqual([401]);
    const signed = await stack.chatwoot.agentReply(conversation.id, { content: 'assinada na criação' });
    expect(signed.deliveries.map((d) => d.status)).toEqual([200]);
    await waitFor('the signed reply on WhatsApp', async () => (await client.get(`/api/sandbox/sent/${name}`)).body.data.length === 1);
    await sleep(300);
    expect((await client.get(`/api/sandbox/sent/${name}`)).body.data.map((s: Sent) => s.text)).toEqual(['assinada na criação']);
  });
});
