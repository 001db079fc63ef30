/**
 * SPEC section 14: two RyzeAPI nodes (two applications, each with its own pool and listener) on one
 * PostgreSQL database. PGlite serves one node only: without TEST_DATABASE_URL these are skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CommandExecutor } from '../../src/ryzeapi/chatwoot/channel/command.executor.js';
import { OutboxRetention } from '../../src/ryzeapi/chatwoot/channel/outbox.retention.js';
import { bridgeEnv, createIntegration, sleep, waitFor } from '../support/channel-helpers.js';
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

  beforeAll(async () => {
    bridge = await new FakeBridge().start();
    db = await createTestDatabase();
    const env = bridgeEnv(bridge, { BRIDGE_RETENTION_MAX_EVENTS: '1' });
    a = await startApp({ ...env, NODE_ID: 'node-a' }, db);
    b = await startApp({ ...env, NODE_ID: 'node-b' }, db);
    token = await a.newAccount();
  });
  afterAll(async () => {
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
});
