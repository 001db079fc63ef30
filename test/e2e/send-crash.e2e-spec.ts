/**
 * A crash in the middle of an agent reply's writes (issue 12, point 5). The service is "killed" at
 * a chosen write by replaced channel repositories: from that write on, every call of theirs fails, so
 * nothing more reaches the channel's tables, as after a SIGKILL. Restarted on the same database,
 * the bridge must get the reply's echo and its `sent` and `delivered` statuses, each exactly once,
 * and a retry of the command must get the real result.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { CommandLedgerRepository } from '../../src/ryzeapi/chatwoot/channel/command-ledger.repository.js';
import { OutboxEventsRepository } from '../../src/ryzeapi/chatwoot/channel/outbox-events.repository.js';
import { bridgeEnv, createIntegration, openRaw, RawBridge, waitFor, type Integration } from '../support/channel-helpers.js';
import { dyingChannelStorage } from '../support/dying-channel-storage.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

type CrashPoint = 'before the write of the statuses' | 'right after the write of the statuses';

/** Dies at the first append that holds a `message.status` event: before it, or right after it. */
const crashingOutbox = (at: CrashPoint) =>
  dyingChannelStorage((method, args) => {
    if (method !== 'append' || !(args[1] as { event: string }[]).some((e) => e.event === 'message.status')) return undefined;
    return at === 'before the write of the statuses' ? 'dies before' : 'dies after';
  });

describe('an agent reply cut off by a crash (issue 12.5)', () => {
  let bridge: FakeBridge;
  const dbs: TestDatabase[] = [];
  let t: TestApp | undefined;
  const sockets: RawBridge[] = [];

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await t?.close();
    await Promise.all(dbs.map((db) => db.drop()));
    await bridge?.stop();
  });

  it.each<CrashPoint>(['before the write of the statuses', 'right after the write of the statuses'])(
    'killed %s: after a restart, the echo, sent and delivered come exactly once',
    async (at) => {
      const db = await createTestDatabase();
      dbs.push(db);
      const env = bridgeEnv(bridge);
      t = await startApp(env, db, { override: crashingOutbox(at) });
      const target: Integration = await createIntegration(t, 'crash');
      const first = await openRaw(target, bridge.token, sockets);
      first.send({ type: 'send', id: 'cw-crash', to: '5511999999999', text: 'Olá' });
      await first.next('the result of the send', (f) => f.type === 'result' && f.id === 'cw-crash');
      await first.close();
      await t.close();

      t = await startApp(env, db);
      const sent = (await api(t.url, target.token).get(`/api/sandbox/sent/${target.name}`)).body.data;
      expect(sent).toHaveLength(1);
      const messageId = sent[0].message_id;

      const raw = await openRaw({ ...target, channelUrl: `${t.wsUrl}/ws/chatwoot/${target.name}` }, bridge.token, sockets);
      const stored = Number((await t.app.get(DataSource).query('SELECT count(*) AS n FROM chatwoot_events'))[0].n);
      await waitFor(`the ${stored} stored events`, () => raw.events.length >= stored);
      const events = raw.events.map((f) => ({ seq: f.seq, event: f.event, id: f.data.message?.id ?? f.data.message_id, status: f.data.status, state: f.data.state }));
      expect(events).toEqual([
        { seq: 1, event: 'instance.state', id: undefined, status: undefined, state: 'connected' },
        { seq: 2, event: 'message.exchange', id: messageId, status: undefined, state: undefined },
        { seq: 3, event: 'message.status', id: messageId, status: 'sent', state: undefined },
        { seq: 4, event: 'message.status', id: messageId, status: 'delivered', state: undefined },
      ]);

      raw.send({ type: 'send', id: 'cw-crash', to: '5511999999999', text: 'Olá' });
      expect(await raw.next('the repeated result', (f) => f.type === 'result' && f.id === 'cw-crash')).toEqual({
        type: 'result', id: 'cw-crash', ok: true, message_id: messageId,
      });
      expect((await api(t.url, target.token).get(`/api/sandbox/sent/${target.name}`)).body.data).toHaveLength(1);
      await raw.close();
      await t.close();
      t = undefined;
    },
  );

  it('a send stored twice (recovered at start on one node while another stores it) is stored once', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    t = await startApp(bridgeEnv(bridge), db);
    const target = await createIntegration(t, 'twice');
    const outbox = t.app.get(OutboxEventsRepository);
    const ledger = t.app.get(CommandLedgerRepository);
    expect(await ledger.claim(target.id, 'cw-twice')).toEqual({ claimed: true });
    const events = ['message.exchange', 'message.status', 'message.status'].map((event) => ({ event, data: { n: event }, command: 'cw-twice' }));
    const sent = [{ command: 'cw-twice', messageId: '3EB0TWICE' }];
    const before = await outbox.pending(target.id);

    const [first, second] = await Promise.all([outbox.append(target.id, events, sent), outbox.append(target.id, events, sent)]);
    expect([first.length, second.length].sort()).toEqual([0, 3]);
    expect(await outbox.pending(target.id)).toBe(before + 3);
    expect(await ledger.claim(target.id, 'cw-twice')).toEqual({
      claimed: false, result: { type: 'result', id: 'cw-twice', ok: true, message_id: '3EB0TWICE' },
    });
    await t.close();
    t = undefined;
  });
});
