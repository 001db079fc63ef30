import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { InstancesService } from '../../instances/instances.service.js';
import type { InstanceStatus } from '../../instances/instance.entity.js';
import { EngineEvents } from '../engine-events.js';
import type { EngineEvent } from '../engine.types.js';
import { InstanceNotConnectedError } from '../whatsapp-engine.port.js';
import type { RecordedMessage, SandboxMessagesRepository, StoredSend } from './sandbox-messages.repository.js';
import { SandboxEngine } from './sandbox.engine.js';

const instance = { id: 'a0000000-0000-4000-8000-000000000001', name: 'unit' };

/** The repository's contract, kept in memory. */
class MemoryMessages {
  readonly rows: (RecordedMessage & { instanceId: string; timestamp: number })[] = [];

  async record(instanceId: string, m: RecordedMessage): Promise<void> {
    this.rows.push({ ...m, instanceId, timestamp: 1_700_000_000 });
  }

  async sendFor(instanceId: string, commandId: string): Promise<StoredSend | undefined> {
    return (await this.sends(instanceId)).find((s) => s.commandId === commandId);
  }

  async sends(instanceId: string): Promise<StoredSend[]> {
    return this.rows
      .filter((r) => r.instanceId === instanceId && r.direction === 'outgoing')
      .map((r) => ({
        id: r.id, to: r.chatJid, text: r.text ?? null, media: r.media ?? null, source: r.source as StoredSend['source'],
        commandId: r.commandId ?? null, replyTo: r.replyTo ?? null, timestamp: r.timestamp,
      }));
  }
}

function setup(status: InstanceStatus = 'connected') {
  const statuses = new Map<string, InstanceStatus>([[instance.id, status]]);
  const instances = {
    getStatus: async (id: string) => statuses.get(id),
    setStatus: async (id: string, s: InstanceStatus) => void statuses.set(id, s),
  };
  const messages = new MemoryMessages();
  const events = new EngineEvents();
  const published: EngineEvent[][] = [];
  events.subscribe((batch) => void published.push(batch));
  const engine = new SandboxEngine(messages as unknown as SandboxMessagesRepository, instances as unknown as InstancesService, events);
  return { engine, messages, events, published, statuses };
}

describe('SandboxEngine', () => {
  // The failures below are logged on purpose; keep the test output to the results.
  beforeAll(() => Logger.overrideLogger(false));

  it('connect and logout set the status and publish the state', async () => {
    const { engine, published, statuses } = setup('disconnected');
    expect(await engine.connect(instance)).toEqual({ status: 'connected' });
    expect(statuses.get(instance.id)).toBe('connected');
    await engine.logout(instance);
    expect(statuses.get(instance.id)).toBe('disconnected');
    expect(published.map((batch) => batch.map((e) => [e.event, e.data]))).toEqual([
      [['instance.state', { state: 'connected' }]],
      [['instance.state', { state: 'loggedout' }]],
    ]);
  });

  it('refuses to send or receive while not connected, recording and publishing nothing', async () => {
    const { engine, messages, published } = setup('disconnected');
    await expect(engine.send(instance, { to: '5511999999999@s.whatsapp.net', text: 'hi', source: 'api' })).rejects.toBeInstanceOf(InstanceNotConnectedError);
    await expect(engine.receive(instance, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', text: 'hi' })).rejects.toBeInstanceOf(InstanceNotConnectedError);
    expect(messages.rows).toEqual([]);
    expect(published).toEqual([]);
  });

  it('a send records the message, then publishes its echo, sent and delivered as one publication', async () => {
    const { engine, messages, published } = setup();
    const to = '120363000000000000@g.us';
    const { messageId } = await engine.send(instance, { to, text: 'hello', replyTo: 'QUOTED1', source: 'chatwoot', commandId: 'cmd-1' });
    expect(messageId).toMatch(/^3EB0[0-9A-F]{16}$/);
    expect(messages.rows).toEqual([expect.objectContaining({ id: messageId, direction: 'outgoing', chatJid: to, text: 'hello', source: 'chatwoot', commandId: 'cmd-1', replyTo: 'QUOTED1' })]);
    expect(published).toHaveLength(1);
    const [echo, sent, delivered] = published[0];
    expect(echo).toMatchObject({
      event: 'message.exchange',
      data: {
        message: { id: messageId, direction: 'outgoing', chat: { jid: to, type: 'group' }, content: { text: 'hello' }, reply_to: 'QUOTED1' },
        source: 'chatwoot',
        command_id: 'cmd-1',
      },
    });
    expect([sent.data, delivered.data]).toEqual([
      expect.objectContaining({ message_id: messageId, chat_jid: to, status: 'sent' }),
      expect.objectContaining({ message_id: messageId, chat_jid: to, status: 'delivered' }),
    ]);
  });

  it('a send that went out resolves even when a subscriber fails (a retry would send it twice)', async () => {
    const { engine, events, messages } = setup();
    events.subscribe(() => {
      throw new Error('subscriber down');
    });
    await expect(engine.send(instance, { to: '5511999999999@s.whatsapp.net', text: 'x', source: 'api' })).resolves.toHaveProperty('messageId');
    expect(messages.rows).toHaveLength(1);
  });

  it('a received message rejects when a subscriber could not take its event (it is not acknowledged)', async () => {
    const { engine, events } = setup();
    events.subscribe(() => {
      throw new Error('subscriber down');
    });
    await expect(engine.receive(instance, { from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', text: 'x' })).rejects.toThrow('an event subscriber failed');
  });

  it('a received group message names the group as the chat and the member as the sender', async () => {
    const { engine, messages, published } = setup();
    const media = { type: 'image' as const, url: 'https://example.test/a.jpg', caption: 'look' };
    const { messageId } = await engine.receive(instance, {
      from: '5511999999999', fromJid: '5511999999999@s.whatsapp.net', name: 'Ana', group: { jid: '120363000000000000@g.us', name: 'Team' }, media,
    });
    expect(messages.rows[0]).toMatchObject({ id: messageId, direction: 'incoming', chatJid: '120363000000000000@g.us', source: 'whatsapp' });
    expect(published[0][0].data).toMatchObject({
      message: {
        id: messageId, direction: 'incoming', chat: { jid: '120363000000000000@g.us', name: 'Team', type: 'group' },
        sender: { jid: '5511999999999@s.whatsapp.net', name: 'Ana' }, content: { text: 'look' }, media,
      },
      source: 'whatsapp',
    });
  });

  it('replaySend derives the same events again from the record, and null when nothing went out for the command', async () => {
    const { engine, published } = setup();
    await engine.send(instance, { to: '5511999999999@s.whatsapp.net', text: 'again', source: 'chatwoot', commandId: 'cmd-2' });
    const replayed = await engine.replaySend(instance, 'cmd-2');
    const stamp = (events: EngineEvent[]) => events.map((e) => JSON.parse(JSON.stringify(e).replace(/"timestamp":\d+/g, '"timestamp":0')));
    expect(stamp(replayed!)).toEqual(stamp(published[0]));
    expect(replayed!.every((e) => JSON.stringify(e).includes('"timestamp":1700000000'))).toBe(true);
    expect(await engine.replaySend(instance, 'cmd-unknown')).toBeNull();
  });

  it('sent lists the outgoing messages only, in the answer\'s snake_case shape', async () => {
    const { engine } = setup();
    const { messageId } = await engine.send(instance, { to: '5511999999999@s.whatsapp.net', text: 'out', source: 'api' });
    await engine.receive(instance, { from: '5511888888888', fromJid: '5511888888888@s.whatsapp.net', text: 'in' });
    expect(await engine.sent(instance)).toEqual([
      { message_id: messageId, to: '5511999999999@s.whatsapp.net', text: 'out', media: null, source: 'api', command_id: null, timestamp: 1_700_000_000 },
    ]);
  });
});
