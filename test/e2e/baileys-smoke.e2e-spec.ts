/**
 * SPEC 15 smoke tests with the real Baileys library (no fake socket): WhatsApp is unreachable (its
 * socket address is a closed loopback port), or accepts the socket and never answers; connect
 * answers 502 within WHATSAPP_CONNECT_TIMEOUT_MS and the service stays healthy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { baileysEnv } from '../support/fake-baileys.js';
import { api } from '../support/http.js';
import { startApp, type TestApp } from '../support/test-app.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Baileys engine, real library, WhatsApp unreachable', () => {
  let t: TestApp;
  let client: ReturnType<typeof api>;
  let port: number;

  beforeAll(async () => {
    port = await closedPort();
    t = await startApp(baileysEnv({ WHATSAPP_WS_URL: `ws://127.0.0.1:${port}/ws/chat`, WHATSAPP_CONNECT_TIMEOUT_MS: '20000' }));
    client = api(t.url, await t.newAccount());
    expect((await client.post('/api/instance/new', { name: 'phone' })).status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers connect with 502 could not reach WhatsApp, and /health stays 200', async () => {
    const res = await client.get('/api/instance/connect/phone');
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ success: false, error: { message: expect.stringMatching(/^could not reach WhatsApp\. Detail: .+/) } });
    expect(res.body.error.message).toContain('ECONNREFUSED');
    const health = await client.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
  });

  it('answers the same on a second try: the failed session was not kept', async () => {
    const res = await client.get('/api/instance/connect/phone');
    expect(res.status).toBe(502);
    expect((await client.get('/health')).status).toBe(200);
  });
});

describe('Baileys engine, real library, WhatsApp silent', () => {
  let t: TestApp;
  let server: WebSocketServer;
  let handshakes = 0;

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', () => handshakes++); // accepts, then never says a word
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    t = await startApp(baileysEnv({ WHATSAPP_WS_URL: `ws://127.0.0.1:${port}/ws/chat`, WHATSAPP_CONNECT_TIMEOUT_MS: '2000' }));
  });
  afterAll(async () => {
    await t?.close();
    server.clients.forEach((c) => c.terminate());
    await new Promise((resolve) => server?.close(resolve));
  });

  it('answers 502 within WHATSAPP_CONNECT_TIMEOUT_MS, and /health stays 200', async () => {
    const client = api(t.url, await t.newAccount());
    expect((await client.post('/api/instance/new', { name: 'phone' })).status).toBe(201);
    const res = await client.get('/api/instance/connect/phone');
    expect(handshakes).toBe(1);
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/^could not reach WhatsApp\. Detail: .+/);
    expect((await client.get('/health')).status).toBe(200);
  });
});
