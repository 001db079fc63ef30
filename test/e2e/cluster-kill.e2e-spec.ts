/**
 * SPEC section 14, a node that dies: two service processes on one PostgreSQL; the one holding the
 * bridge socket is killed (SIGKILL), the bridge reconnects to the other and resumes from its last
 * ack, nothing lost or duplicated. PGlite serves one node only: skipped without TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RawBridge, waitFor, within } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { registerSecret } from '../support/leak-guard.js';
import { freePort, ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, TEST_KEY, type TestDatabase } from '../support/test-app.js';

const clustered = !!process.env.TEST_DATABASE_URL;
const describeCluster = clustered ? describe : describe.skip;
if (!clustered) console.log('cluster-kill.e2e-spec: skipped, it needs TEST_DATABASE_URL (PGlite serves one node only)');

describeCluster('a killed node (SPEC 14)', () => {
  const TOKEN = 'cluster-kill-account-token-0123456789';
  let db: TestDatabase;
  let bridge: FakeBridge;
  const nodes: { service: ServiceProcess; url: string }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    bridge = await new FakeBridge().start();
    registerSecret(bridge.token);
    registerSecret(TOKEN);
    for (const id of ['kill-a', 'kill-b']) {
      const port = await freePort();
      const service = new ServiceProcess({
        ...db.env, NODE_ID: id, PORT: String(port), BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, ENCRYPTION_KEYS: TEST_KEY, BOOTSTRAP_ACCOUNT_TOKEN: TOKEN,
      });
      await service.waitForLine(/RyzeAPI listening/);
      nodes.push({ service, url: `http://127.0.0.1:${port}` });
    }
  });
  afterAll(async () => {
    for (const { service } of nodes) await service.stop('SIGKILL');
    await bridge.stop();
    await db.drop();
  });

  it('the bridge reconnects to the other node and resumes from its last ack: nothing lost or duplicated', async () => {
    const [a, b] = nodes;
    const client = api(b.url, TOKEN);
    expect((await client.post('/api/instance/new', { name: 'killed' })).status).toBe(201);
    expect((await client.post('/api/chatwoot/set/killed', { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: 'cw-api-token-secret' })).status).toBe(201);
    expect((await client.get('/api/instance/connect/killed')).status).toBe(200);
    const receive = async (text: string) => expect((await client.post('/api/sandbox/receive/killed', { from: '5511999999999', name: 'Maria', text })).status).toBe(201);
    const messages = (raw: RawBridge) => raw.events.filter((e) => e.event === 'message.exchange');

    // The socket on node A; events produced through node B; the bridge acks the first 10 of 20.
    const first = new RawBridge(`${a.url.replace('http', 'ws')}/ws/chatwoot/killed`, bridge.token);
    await within('the socket on node A', first.opened);
    const sent = Array.from({ length: 30 }, (_, i) => `k${i}`);
    for (const text of sent.slice(0, 20)) await receive(text);
    await waitFor('20 messages on node A', () => messages(first).length >= 20);
    const acked = messages(first)[9].seq;
    first.send({ type: 'ack', seq: acked });
    const last = messages(first)[19].seq;
    await waitFor('the ack stored', async () => (await client.get('/api/chatwoot/list/killed')).body.pending_events === last - acked);

    const killedAt = Date.now();
    await a.service.stop('SIGKILL');
    await within('the socket to drop', first.closed);
    const second = new RawBridge(`${b.url.replace('http', 'ws')}/ws/chatwoot/killed`, bridge.token);
    const hello = await second.next('hello on node B', (f) => f.type === 'hello');
    const resumeMs = Date.now() - killedAt;
    expect(hello.last_acked_seq).toBe(acked);
    for (const text of sent.slice(20)) await receive(text);
    await waitFor('the rest on node B', () => messages(second).some((e) => e.data.message.content.text === 'k29'));

    // What the bridge keeps: each seq once (it drops seqs it has seen); node B sent each once, from the ack on.
    const seen = new Map<number, string>();
    for (const e of [...messages(first), ...messages(second)]) if (!seen.has(e.seq)) seen.set(e.seq, e.data.message.content.text);
    expect([...seen.values()]).toEqual(sent);
    const fromB = second.events.map((e) => e.seq);
    expect(fromB[0]).toBe(acked + 1);
    expect(new Set(fromB).size).toBe(fromB.length);
    expect(fromB).toEqual(fromB.map((_, i) => acked + 1 + i));
    console.log(JSON.stringify({ resume_after_sigkill_ms: resumeMs }));
    expect(resumeMs).toBeLessThan(5000);
    await second.close();
  });
});
