import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { RawBridge, waitFor } from '../support/channel-helpers.js';
import { FakeBridge } from '../support/fake-bridge.js';
import { api } from '../support/http.js';
import { duplicateKeys } from '../support/json-keys.js';
import { registerSecret } from '../support/leak-guard.js';
import { ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, TEST_KEY, type TestDatabase } from '../support/test-app.js';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The service run as `npm start` runs it: its log lines, and what SIGTERM does. */
describe('logs and shutdown of the running service', () => {
  let db: TestDatabase;
  let bridge: FakeBridge;
  let service: ServiceProcess;
  let url: string;
  let socket: RawBridge;
  let exit: { code: number | null; signal: NodeJS.Signals | null };

  beforeAll(async () => {
    db = await createTestDatabase();
    bridge = await new FakeBridge().start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    registerSecret(bridge.token);
    service = new ServiceProcess({ ...db.env, PORT: String(port), BRIDGE_URL: bridge.url, BRIDGE_TOKEN: bridge.token, ENCRYPTION_KEYS: TEST_KEY });
    await service.waitForLine(/RyzeAPI listening/);
  });
  afterAll(async () => {
    await service.stop('SIGKILL');
    await bridge.stop();
    await db.drop();
  });

  it('logs requests, and messages written during a request, with one context key per line', async () => {
    const tokenFile = join(db.env.DATA_DIR, 'first-account-token');
    await waitFor('the first account token file', () => existsSync(tokenFile));
    const token = readFileSync(tokenFile, 'utf8').trim();
    registerSecret(token);
    const client = api(url, token);
    expect((await client.post('/api/instance/new', { name: 'logged' })).status).toBe(201);
    // A bridge failure during the request: BridgeClient logs a warning inside the HTTP request.
    bridge.fail('activate', { kind: 'http', status: 500, body: { error: { message: 'bridge broke' } } });
    const settings = { chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: 'cw-logs-secret-token' };
    expect((await client.post('/api/chatwoot/set/logged', settings)).status).toBe(502);
    expect((await client.post('/api/chatwoot/set/logged', settings)).status).toBe(201);
    expect((await client.get('/api/instance/connect/logged')).status).toBe(200);

    await service.waitForLine(/"msg":"bridge activation failed"/);
    await service.waitForLine(/"context":"HTTP".*"url":"\/api\/instance\/connect\/logged"|"url":"\/api\/instance\/connect\/logged".*"context":"HTTP"/);
    const lines = service.stdout.filter(Boolean);
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.map((line) => [line.slice(0, 80), duplicateKeys(line)]).filter(([, dup]) => dup.length)).toEqual([]);
    const parsed = lines.map((line) => JSON.parse(line));
    expect(parsed.find((l) => l.msg === 'bridge activation failed')).toMatchObject({ context: 'BridgeClient', level: 40 });
    expect(parsed.filter((l) => l.msg === 'request completed' || l.msg === 'request errored').every((l) => l.context === 'HTTP')).toBe(true);
    expect(parsed.every((l) => typeof l.context === 'string')).toBe(true);
  });

  it('on SIGTERM: closes bridge sockets with 1001, logs what it drained, removes the pid file, exits 0', async () => {
    const pidFile = join(db.env.DATA_DIR, 'ryzeapi.pid');
    const embedded = !db.env.DATABASE_URL;
    const postmasterPid = join(db.env.DATA_DIR, 'postmaster.pid'); // PGlite's own
    expect([existsSync(pidFile), existsSync(postmasterPid)]).toEqual([embedded, embedded]);
    socket = new RawBridge(`${url.replace('http', 'ws')}/ws/chatwoot/logged`, bridge.token);
    await socket.next('hello', (f) => f.type === 'hello');
    exit = await service.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await socket.closed).code).toBe(1001);
    expect([existsSync(pidFile), existsSync(postmasterPid)]).toEqual([false, false]);

    const parsed = service.logLines();
    const begin = parsed.find((l) => l.msg === 'SIGTERM received: shutting down');
    const end = parsed.at(-1)!;
    expect(begin).toMatchObject({ context: 'Main', signal: 'SIGTERM', bridge_sockets: 1 });
    expect(end).toMatchObject({ context: 'Main', signal: 'SIGTERM', bridge_sockets: 1, ack_writes: 0, event_writes: expect.any(Number), duration_ms: expect.any(Number) });
    expect(end.msg).toMatch(/^shut down cleanly: closed 1 bridge socket\(s\) with 1001, finished storing the acks of 0 and the events of \d+ instance\(s\), answered the requests in flight, /);
    expect(end.msg).toMatch(embedded ? /closed the embedded database and removed its pid file$/ : /closed the database pool$/);
  });
});
