/**
 * SPEC section 9, bridge to RyzeAPI: `send` commands, their `result` frames, at-most-once execution
 * per id (also across disconnects and a restart), signMessages, echoes, and sending while the
 * instance is not connected.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventFrame, ResultFrame, SendRequest } from '../../src/shared/protocol/channel.frames.js';
import { ChannelClient } from '../../tools/channel-client.js';
import { bridgeEnv, createIntegration, openRaw, portOf, prng, RawBridge, TcpProxy, terminateFromServer, waitFor, within, type Integration } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

describe('bridge channel commands (SPEC 9)', () => {
  let bridge: FakeBridge;
  let db: TestDatabase;
  let t: TestApp;
  let token: string;
  const sockets: RawBridge[] = [];

  const integration = (name: string, options: Parameters<typeof createIntegration>[2] = {}) => createIntegration(t, name, { token, ...options });
  const open = (target: Integration) => openRaw(target, bridge.token, sockets);
  const sentList = async (target: Integration) => {
    const res = await api(t.url, target.token).get(`/api/sandbox/sent/${target.name}`);
    expect(res.status).toBe(200);
    return res.body.data as { message_id: string; to: string; text: string | null; media: unknown; source: string; command_id: string | null }[];
  };
  const result = (raw: RawBridge, id: string) => raw.next(`the result of ${id}`, (f) => f.type === 'result' && f.id === id);

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
    db = await createTestDatabase();
    t = await startApp(bridgeEnv(bridge), db);
    token = await t.newAccount();
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await db?.drop();
    await bridge?.stop();
  });

  it('sends a text reply, answers with its message id, and echoes it as an outgoing chatwoot message', async () => {
    const target = await integration('cmd-text');
    const raw = await open(target);
    raw.send({ type: 'send', id: 'cw-1', to: '5511999999999', text: 'Olá', reply_to: '3EB0AAAA' });
    const res = await result(raw, 'cw-1');
    expect(res).toEqual({ type: 'result', id: 'cw-1', ok: true, message_id: expect.stringMatching(/^3EB0/) });
    expect(await sentList(target)).toEqual([
      { message_id: res.message_id, to: '5511999999999@s.whatsapp.net', text: 'Olá', media: null, source: 'chatwoot', command_id: 'cw-1', timestamp: expect.any(Number) },
    ]);
    const echo = await raw.next('the echo', (f) => f.type === 'event' && f.event === 'message.exchange');
    expect(echo.data).toEqual({
      message: {
        id: res.message_id, direction: 'outgoing', timestamp: expect.any(Number),
        chat: { jid: '5511999999999@s.whatsapp.net', name: '', type: 'private' },
        sender: { jid: 'me', name: '' }, content: { text: 'Olá' }, reply_to: '3EB0AAAA',
      },
      source: 'chatwoot',
      command_id: 'cw-1',
    });
    const statuses = [await raw.next('sent', (f) => f.event === 'message.status'), await raw.next('delivered', (f) => f.event === 'message.status')];
    expect(statuses.map((s) => [s.seq - echo.seq, s.data.message_id, s.data.status])).toEqual([[1, res.message_id, 'sent'], [2, res.message_id, 'delivered']]);
  });

  it('sends media', async () => {
    const target = await integration('cmd-media');
    const raw = await open(target);
    const media = { type: 'image', url: 'https://cdn.example.com/a.png', mimetype: 'image/png', file_name: 'a.png', caption: 'look' };
    raw.send({ type: 'send', id: 'm-1', to: '5511999999999', media });
    const res = await result(raw, 'm-1');
    expect(res.ok).toBe(true);
    const [sent] = await sentList(target);
    expect(sent).toMatchObject({ message_id: res.message_id, text: null, media, command_id: 'm-1', source: 'chatwoot' });
    const echo = await raw.next('the echo', (f) => f.event === 'message.exchange');
    expect(echo.data.message).toMatchObject({ content: { text: 'look' }, media });
  });

  it('executes an id once: copies on the same socket, concurrent or later, and on a new socket get the first result', async () => {
    const target = await integration('cmd-dedup');
    const raw = await open(target);
    const frame = { type: 'send', id: 'dup-1', to: '5511999999999', text: 'only once' };
    raw.send(frame);
    raw.send(frame);
    const first = await result(raw, 'dup-1');
    const second = await result(raw, 'dup-1');
    expect(first.ok).toBe(true);
    expect(second).toEqual(first);
    raw.send({ ...frame, text: 'a different text, same id' });
    expect(await result(raw, 'dup-1')).toEqual(first);
    raw.ws.terminate();
    const again = await open(target);
    again.send(frame);
    expect(await result(again, 'dup-1')).toEqual(first);
    const sent = await sentList(target);
    expect(sent.map((m) => [m.command_id, m.text])).toEqual([['dup-1', 'only once']]);
    // The same id on another instance is another command.
    const other = await integration('cmd-dedup-other');
    const otherRaw = await open(other);
    otherRaw.send(frame);
    const otherResult = await result(otherRaw, 'dup-1');
    expect(otherResult.ok).toBe(true);
    expect(otherResult.message_id).not.toBe(first.message_id);
  });

  it('prefixes text and captions with *sender_name*: and a newline when signMessages is on', async () => {
    const signing = await integration('cmd-sign', { settings: { signMessages: true } });
    const plain = await integration('cmd-nosign');
    const raw = await open(signing);
    const rawPlain = await open(plain);
    raw.send({ type: 'send', id: 's-1', to: '5511999999999', text: 'Olá', sender_name: 'Alice' });
    raw.send({ type: 'send', id: 's-2', to: '5511999999999', text: 'no name' });
    raw.send({ type: 'send', id: 's-3', to: '5511999999999', media: { type: 'image', url: 'https://cdn.example.com/a.png', caption: 'pic' }, sender_name: 'Bob' });
    raw.send({ type: 'send', id: 's-4', to: '5511999999999', media: { type: 'document', url: 'https://cdn.example.com/a.pdf' }, sender_name: 'Bob' });
    for (const id of ['s-1', 's-2', 's-3', 's-4']) expect((await result(raw, id)).ok).toBe(true);
    rawPlain.send({ type: 'send', id: 'p-1', to: '5511999999999', text: 'Olá', sender_name: 'Alice' });
    expect((await result(rawPlain, 'p-1')).ok).toBe(true);

    const sent = await sentList(signing);
    expect(sent.map((m) => [m.command_id, m.text, (m.media as { caption?: string } | null)?.caption])).toEqual([
      ['s-1', '*Alice*:\nOlá', undefined],
      ['s-2', 'no name', undefined],
      ['s-3', null, '*Bob*:\npic'],
      ['s-4', null, undefined],
    ]);
    expect((await sentList(plain)).map((m) => m.text)).toEqual(['Olá']);
    const echo = await raw.next('the echo of s-1', (f) => f.data?.command_id === 's-1');
    expect(echo.data.message.content.text).toBe('*Alice*:\nOlá');

    // Turning the option off applies to the next command.
    const set = await api(t.url, signing.token).post('/api/chatwoot/set/cmd-sign', {
      chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: 'cw-api-token-secret', signMessages: false,
    });
    expect(set.status).toBe(201);
    raw.send({ type: 'send', id: 's-5', to: '5511999999999', text: 'now plain', sender_name: 'Alice' });
    expect((await result(raw, 's-5')).ok).toBe(true);
    expect((await sentList(signing)).at(-1)?.text).toBe('now plain');
  });

  it('answers ok:false while the instance is not connected, and runs a retry of the same id once connected', async () => {
    const target = await integration('cmd-offline', { connect: false });
    const raw = await open(target);
    const frame = { type: 'send', id: 'off-1', to: '5511999999999', text: 'later' };
    raw.send(frame);
    expect(await result(raw, 'off-1')).toEqual({ type: 'result', id: 'off-1', ok: false, error: 'Instance is not connected to WhatsApp' });
    expect(await sentList(target)).toEqual([]);
    expect(raw.events).toEqual([]);

    expect((await api(t.url, target.token).get('/api/instance/connect/cmd-offline')).status).toBe(200);
    raw.send(frame);
    const ok = await result(raw, 'off-1');
    expect(ok).toMatchObject({ ok: true });
    raw.send(frame);
    expect(await result(raw, 'off-1')).toEqual(ok);
    expect((await sentList(target)).map((m) => m.command_id)).toEqual(['off-1']);

    // Logged out again: a new id fails, the executed one still answers its stored result.
    expect((await api(t.url, target.token).delete('/api/instance/logout/cmd-offline')).status).toBe(200);
    raw.send({ ...frame, id: 'off-2' });
    expect(await result(raw, 'off-2')).toMatchObject({ ok: false, error: 'Instance is not connected to WhatsApp' });
    raw.send(frame);
    expect(await result(raw, 'off-1')).toEqual(ok);
  });

  it('never sends an id twice across random disconnects and a service restart', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100000);
    const random = prng(seed);
    const target = await integration('cmd-once');
    const proxy = await new TcpProxy().start(portOf(t));
    const echoes: string[] = [];
    const seqs: number[] = [];
    const client = new ChannelClient({
      url: `ws://127.0.0.1:${proxy.port}/ws/chatwoot/${target.name}`,
      token: bridge.token,
      backoff: { initialMs: 5, maxMs: 100 },
      onEvent: (frame: EventFrame) => {
        seqs.push(frame.seq);
        if (frame.event === 'message.exchange' && frame.data.source === 'chatwoot') echoes.push(frame.data.command_id!);
      },
    }).start();
    const cuts = { client: 0, server: 0, proxy: 0 };
    let cutAt = 0;
    /** Cuts the live connection (a fresh one, not one already cut) from one side or the middle. */
    const cut = async () => {
      await waitFor('the client to reconnect', () => client.connections > cutAt && client.connected);
      cutAt = client.connections;
      const kind = (['client', 'server', 'proxy'] as const)[Math.floor(random() * 3)];
      if (kind === 'client') client.socket?.terminate();
      if (kind === 'server') terminateFromServer(t, target.id);
      if (kind === 'proxy') proxy.cutAll();
      cuts[kind]++;
    };
    const CUTS_PER_ROUND = 8;
    const commands: SendRequest[] = Array.from({ length: 60 }, (_, i) => ({ id: `once-${i}`, to: '5511999999999', text: `reply ${i}` }));
    const sendAll = async () => {
      const cutPoints = new Set<number>();
      while (cutPoints.size < CUTS_PER_ROUND) cutPoints.add(Math.floor(random() * commands.length));
      const results: Promise<ResultFrame>[] = [];
      for (const [i, command] of commands.entries()) {
        results.push(client.send(command));
        // Extra copies straight on the socket: the service sees the id more than once on one connection.
        if (random() < 0.3 && client.connected) client.socket!.send(JSON.stringify({ type: 'send', ...command }));
        if (cutPoints.has(i)) await cut();
        if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return within('every command result', Promise.all(results), 30_000);
    };
    try {
      const first = await sendAll();
      expect(first.filter((r) => !r.ok)).toEqual([]);

      await t.close();
      t = await startApp(bridgeEnv(bridge), db);
      proxy.target = portOf(t);
      const replayed = await sendAll();
      expect({ seed, replayed }).toEqual({ seed, replayed: first });

      const sent = await sentList(target);
      expect(sent.map((m) => m.command_id).sort()).toEqual(commands.map((c) => c.id).sort());
      expect(sent.map((m) => m.message_id).sort()).toEqual(first.map((r) => (r.ok ? r.message_id : '')).sort());
      // The bridge sees each echo once, after its dedup by seq, and the seqs without gaps.
      await waitFor('an echo of every command', () => echoes.length >= commands.length, 15_000);
      expect(echoes.sort()).toEqual(commands.map((c) => c.id).sort());
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      // Every cut hit a live connection: 2 rounds of cuts, plus the first connection and the restart.
      await waitFor(`the connection after the last cut (seed ${seed})`, () => client.connections === 2 * CUTS_PER_ROUND + 2);
    } finally {
      await client.close();
      await proxy.stop();
    }
  });
});
