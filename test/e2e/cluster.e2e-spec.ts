/**
 * SPEC section 14: two RyzeAPI nodes (two applications, each with its own pool and listener) on one
 * PostgreSQL database. PGlite serves one node only: without TEST_DATABASE_URL these are skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ChannelOwnersRepository } from '../../src/ryzeapi/chatwoot/channel/cluster/channel-owners.repository.js';
import { CommandExecutor } from '../../src/ryzeapi/chatwoot/channel/command.executor.js';
import { OutboxRetention } from '../../src/ryzeapi/chatwoot/channel/outbox.retention.js';
import { ClusterBus } from '../../src/ryzeapi/cluster/cluster-bus.js';
import { ClusterLocks } from '../../src/ryzeapi/cluster/cluster-locks.js';
import { DataSource } from 'typeorm';
import { bridgeEnv, createIntegration, openRaw, RawBridge, sleep, waitFor, within, type Integration } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { capturedLogs, createTestDatabase, startApp, type TestApp, type TestDatabase } from '../support/test-app.js';

const clustered = !!process.env.TEST_DATABASE_URL;
const describeCluster = clustered ? describe : describe.skip;
if (!clustered) console.log('cluster.e2e-spec: skipped, it needs TEST_DATABASE_URL (PGlite serves one node only)');

describeCluster('two nodes on one PostgreSQL (SPEC 14)', () => {
  let bridge: FakeBridge;
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let token: string;
  const sockets: RawBridge[] = [];

  /** The integration's channel on `node`. */
  const on = (node: TestApp, target: Integration): Integration => ({ ...target, channelUrl: `${node.wsUrl}/ws/chatwoot/${target.name}` });
  const receive = async (node: TestApp, target: Integration, text: string) =>
    expect((await api(node.url, token).post(`/api/sandbox/receive/${target.name}`, { from: '5511999999999', name: 'Maria', text })).status).toBe(201);
  const texts = (raw: RawBridge) => raw.events.filter((e) => e.event === 'message.exchange').map((e) => e.data.message.content.text);

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
    db = await createTestDatabase();
    const env = bridgeEnv(bridge, { BRIDGE_RETENTION_MAX_EVENTS: '1' });
    a = await startApp({ ...env, NODE_ID: 'node-a' }, db);
    b = await startApp({ ...env, NODE_ID: 'node-b' }, db);
    token = await a.newAccount();
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await a?.close();
    await b?.close();
    await db?.drop();
    await bridge?.stop();
  });

  it('each node says which it is in /health and in its logs', async () => {
    expect((await api(a.url).get('/health')).body.node).toBe('node-a');
    expect((await api(b.url).get('/health')).body.node).toBe('node-b');
    const nodes = new Set(capturedLogs.map((line) => JSON.parse(line).node));
    expect([nodes.has('node-a'), nodes.has('node-b')]).toEqual([true, true]);
  });

  it('runs set of one instance on one node at a time: the second waits for the first', async () => {
    const client = api(a.url, token);
    expect((await client.post('/api/instance/new', { name: 'cl-set' })).status).toBe(201);
    const body = { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: 'cw-api-token-secret' };
    const activations = () => bridge.requests.filter((r) => r.path === '/v1/integrations/activate').length;
    const before = activations();
    bridge.pause('activate');
    const first = api(a.url, token).post('/api/chatwoot/set/cl-set', body);
    await waitFor('the first activation to reach the bridge', () => activations() === before + 1);
    const second = api(b.url, token).post('/api/chatwoot/set/cl-set', body);
    await sleep(500);
    expect(activations()).toBe(before + 1);
    bridge.resume('activate');
    expect([(await first).status, (await second).status]).toEqual([201, 201]);
    expect(activations()).toBe(before + 2);
  });

  it('executes a send id once when both nodes get it at the same moment', async () => {
    const target = await createIntegration(a, 'cl-send', { token });
    const instance = { id: target.id, name: target.name };
    const ids = Array.from({ length: 20 }, (_, i) => `both-${i}`);
    const results = await Promise.all(
      ids.flatMap((id) => [a, b].map((node) => node.app.get(CommandExecutor).execute(instance, { id, to: '5511999999999', text: id }, false))),
    );
    const sent = (await api(a.url, token).get(`/api/sandbox/sent/${target.name}`)).body.data as { command_id: string }[];
    expect(sent.map((m) => m.command_id).sort()).toEqual([...ids].sort());
    // Each id: one node sent it; the other repeated its result, or (still under way) said it did not send it again.
    for (const id of ids) {
      const pair = results.filter((r) => r.id === id);
      const ok = pair.filter((r) => r.ok);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ok.map((r) => r.message_id)).size).toBe(1);
      for (const other of pair.filter((r) => !r.ok)) expect(other.error).toBe('command was interrupted before its outcome was recorded; not executed again');
    }
  });

  it('runs retention on one node at a time: a node that finds it running elsewhere skips the round', async () => {
    const target = await createIntegration(a, 'cl-retention', { token });
    for (const text of ['one', 'two', 'three']) {
      expect((await api(a.url, token).post(`/api/sandbox/receive/${target.name}`, { from: '5511999999999', name: 'Maria', text })).status).toBe(201);
    }
    const holder = new pg.Client({ connectionString: db.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended('outbox-retention', 0))`);
      expect(await a.app.get(OutboxRetention).run()).toBe(0);
      await holder.query('COMMIT');
      expect(await b.app.get(OutboxRetention).run()).toBeGreaterThanOrEqual(2);
    } finally {
      await holder.end();
    }
  });

  it('delivers events produced through node A on the socket node B holds, in order', async () => {
    const target = await createIntegration(a, 'cl-relay', { token });
    const raw = await openRaw(on(b, target), bridge.token, sockets);
    const sent = Array.from({ length: 40 }, (_, i) => `m${i}`);
    for (const text of sent) await receive(a, target, text);
    await waitFor('the 40 messages on node B', () => texts(raw).length >= sent.length);
    expect(texts(raw)).toEqual(sent);
    const seqs = raw.events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
  });

  it('closes the socket on node A with 4409 when the bridge connects to node B, and only B delivers after', async () => {
    const target = await createIntegration(a, 'cl-takeover', { token });
    const first = await openRaw(on(a, target), bridge.token, sockets);
    await receive(a, target, 'before');
    const event = await first.next('the first event', (f) => f.type === 'event' && f.event === 'message.exchange');
    first.send({ type: 'ack', seq: event.seq });
    await sleep(100); // the ack travels; node A stores it before it lets go
    const second = new RawBridge(on(b, target).channelUrl, bridge.token);
    sockets.push(second);
    expect((await within('the 4409 on node A', first.closed)).code).toBe(4409);
    const hello = await second.next('hello on node B', (f) => f.type === 'hello');
    expect(hello.last_acked_seq).toBe(event.seq);
    await receive(a, target, 'after');
    await waitFor('the event on node B', () => texts(second).includes('after'));
    expect(texts(first)).toEqual(['before']);
  });

  it('a newer connection on node A takes over from node B the same way', async () => {
    const target = await createIntegration(b, 'cl-takeback', { token });
    const first = await openRaw(on(b, target), bridge.token, sockets);
    const second = await openRaw(on(a, target), bridge.token, sockets);
    expect((await within('the 4409 on node B', first.closed)).code).toBe(4409);
    expect(second.open).toBe(true);
  });

  it('gives two first claims at the same moment distinct epochs, and the later one the node it takes over from', async () => {
    const target = await createIntegration(a, 'cl-claims', { token });
    const owners = [a, b].map((node) => node.app.get(ChannelOwnersRepository));
    for (let round = 0; round < 20; round++) {
      await owners[0].forget(target.id);
      const [first, second] = await Promise.all([
        owners[0].claim(target.id, 'node-a', randomUUID()),
        owners[1].claim(target.id, 'node-b', randomUUID()),
      ]);
      const [earlier, later] = first.epoch < second.epoch ? [first, second] : [second, first];
      expect(earlier.previousNode).toBeNull();
      expect(later.previousNode).toBe(earlier === first ? 'node-a' : 'node-b');
    }
    // Epochs only grow, even across a forgotten row.
    await owners[0].forget(target.id);
    const again = await owners[0].claim(target.id, 'node-a', randomUUID());
    const before = await owners[1].claim(target.id, 'node-b', randomUUID());
    expect(before.epoch).toBeGreaterThan(again.epoch);
    expect(again.epoch).toBeGreaterThan(40);
    await owners[0].forget(target.id);
  });

  it('closes the socket held by node B with 4410 when the integration is deleted through node A', async () => {
    const target = await createIntegration(a, 'cl-delete', { token });
    const raw = await openRaw(on(b, target), bridge.token, sockets);
    expect((await api(a.url, token).delete(`/api/chatwoot/delete/${target.name}`)).status).toBe(200);
    expect((await within('the 4410 on node B', raw.closed)).code).toBe(4410);
  });

  it('keeps running when the server ends its idle lock connections (pg_terminate_backend, a restart)', async () => {
    await a.app.get(ClusterLocks).run('probe', async () => undefined); // leaves an idle connection in the lock pool
    const [{ ended }] = await b.app.get(DataSource).query(
      `SELECT count(pg_terminate_backend(pid))::int AS ended FROM pg_stat_activity WHERE application_name = 'ryzeapi:node-a:locks'`,
    );
    expect(ended).toBeGreaterThan(0);
    await waitFor('the warning of the ended lock connection', () => capturedLogs.some((line) => line.includes('idle lock connection was closed')));
    expect(await a.app.get(ClusterLocks).run('probe', async () => 'ran again')).toBe('ran again');
    expect((await api(a.url).get('/health')).status).toBe(200);
  });

  it('catches up from the outbox after its listening connection was lost (a lost notification delays, never loses)', async () => {
    const target = await createIntegration(a, 'cl-lost', { token });
    const raw = await openRaw(on(b, target), bridge.token, sockets);
    await b.app.get(ClusterBus).dropListener();
    await receive(a, target, 'while B was not listening');
    await waitFor('the event on node B after its listener reconnected', () => texts(raw).includes('while B was not listening'));
  });
});

describeCluster('two nodes on one PostgreSQL: rate limits (SPEC 14)', () => {
  let db: TestDatabase;
  let nodes: TestApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { RATE_LIMIT_PER_MINUTE: '10', RATE_LIMIT_INVALID_TOKENS_PER_MINUTE: '4' };
    nodes = [await startApp({ ...env, NODE_ID: 'rl-a' }, db), await startApp({ ...env, NODE_ID: 'rl-b' }, db)];
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    await db?.drop();
  });

  it('counts a token\'s requests on both nodes together', async () => {
    const token = await nodes[0].newAccount();
    const statuses: number[] = [];
    const remaining: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await api(nodes[i % 2].url, token).get('/api/instance/list');
      statuses.push(res.status);
      remaining.push(res.headers.get('x-ratelimit-remaining')!);
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    expect(remaining).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0', '0', '0']);
  });

  it('counts unknown tokens of one address on both nodes together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await api(nodes[i % 2].url, `guess-${i}`).get('/api/instance/list')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});
