import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import WebSocket from 'ws';
import { ChannelHub } from '../../src/ryzeapi/chatwoot/channel/channel.hub.js';
import { InstancesService } from '../../src/ryzeapi/instances/instances.service.js';
import type { FakeBridge } from './fake-bridge.js';
import { api } from './http.js';
import { TEST_KEY, type TestApp } from './test-app.js';

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Races a promise against a bounded wait with a clear failure message. */
export function within<T>(what: string, promise: Promise<T>, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A small deterministic PRNG (mulberry32), so a failing random run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Integration {
  /** TokenAccount of the instance's account. */
  token: string;
  name: string;
  id: string;
  /** ws URL of the instance's bridge channel. */
  channelUrl: string;
}

/**
 * Creates an instance with an integration (through the REST API), and connects it to the sandbox
 * WhatsApp unless `connect` is false.
 */
export async function createIntegration(
  t: TestApp,
  name: string,
  options: { token?: string; connect?: boolean; settings?: Record<string, unknown> } = {},
): Promise<Integration> {
  const token = options.token ?? (await t.newAccount());
  const client = api(t.url, token);
  const created = await client.post('/api/instance/new', { name });
  if (created.status !== 201) throw new Error(`instance/new ${name}: ${created.status} ${created.text}`);
  const set = await client.post(`/api/chatwoot/set/${name}`, {
    chatwootBaseUrl: 'https://chatwoot.example.com',
    chatwootAccountId: 5,
    chatwootApiToken: 'cw-api-token-secret',
    ...options.settings,
  });
  if (set.status !== 201) throw new Error(`chatwoot/set ${name}: ${set.status} ${set.text}`);
  if (options.connect !== false) {
    const connected = await client.get(`/api/instance/connect/${name}`);
    if (connected.status !== 200) throw new Error(`instance/connect ${name}: ${connected.status} ${connected.text}`);
  }
  const row = await t.app.get(InstancesService).findByName(name);
  return { token, name, id: row!.id, channelUrl: `${t.wsUrl}/ws/chatwoot/${name}` };
}

/** The service's environment with the Chatwoot module enabled against `bridge`. */
export const bridgeEnv = (bridge: FakeBridge, extra: Record<string, string> = {}) => ({
  BRIDGE_URL: bridge.url,
  BRIDGE_TOKEN: bridge.token,
  ENCRYPTION_KEYS: TEST_KEY,
  ...extra,
});

/** How an upgrade attempt ended when the server refused it before the handshake. */
export function upgradeRefusal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.terminate();
      reject(new Error(`upgrade to ${url} was accepted`));
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', (error) => reject(error));
  });
}

/**
 * A raw bridge socket for frame-level tests: records every frame and the close, and lets a test
 * await the next frame matching a predicate.
 */
export class RawBridge {
  readonly frames: any[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly taken = new Set<number>();
  private waiters: (() => void)[] = [];

  constructor(url: string, token: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, { ...options, headers: { authorization: `Bearer ${token}`, ...options.headers } });
    this.ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? { binary: data } : JSON.parse(data.toString()));
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('error', () => undefined);
      this.ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.waiters.splice(0).forEach((wake) => wake());
      });
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** The first frame not taken yet that matches `match` (waiting for it if needed); it is then taken. */
  async next(what: string, match: (frame: any) => boolean = () => true, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = 0; i < this.frames.length; i++) {
        if (!this.taken.has(i) && match(this.frames[i])) {
          this.taken.add(i);
          return this.frames[i];
        }
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${what}; frames: ${summary(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; frames: ${summary(this.frames)}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.push(() => (clearTimeout(timer), wake()));
      });
    }
  }

  /** Events received so far. */
  get events(): any[] {
    return this.frames.filter((f) => f.type === 'event');
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.terminate();
      await this.closed;
    }
  }
}

function summary(frames: any[]): string {
  const text = JSON.stringify(frames.slice(-5).map((f) => (f.type === 'event' ? { type: 'event', seq: f.seq, event: f.event } : f)));
  return `${frames.length} total, last: ${text.slice(0, 600)}`;
}

/**
 * A TCP proxy with a stable port in front of the service: the bridge keeps one URL across service
 * restarts (the test app listens on a random port), and the proxy can cut every connection at once,
 * at whatever byte it is at.
 */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  target = 0;

  async start(target: number): Promise<this> {
    this.target = target;
    this.server = createServer((client) => {
      const upstream = new Socket();
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const drop = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(this.target, '127.0.0.1', () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** Cuts every proxied connection (both sides see a reset, mid-frame if data was flowing). */
  cutAll(): number {
    const n = this.pairs.size;
    for (const [client, upstream] of [...this.pairs]) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    return n;
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** The port of a test app's HTTP server. */
export const portOf = (t: TestApp) => Number(new URL(t.url).port);

/** The service's side of an instance's live bridge socket. */
export function serverSocket(t: TestApp, instanceId: string): WebSocket | undefined {
  const connections = (t.app.get(ChannelHub) as unknown as { connections: Map<string, { socket: WebSocket }> }).connections;
  return connections.get(instanceId)?.socket;
}

/** Cuts an instance's bridge socket from the service's side (no close frame), as a crashed peer would. */
export function terminateFromServer(t: TestApp, instanceId: string): boolean {
  const socket = serverSocket(t, instanceId);
  socket?.terminate();
  return !!socket;
}

/** Opens a raw socket on an integration's channel (kept in `opened`, to close later) and waits for its hello. */
export async function openRaw(target: Integration, bridgeToken: string, opened: RawBridge[]): Promise<RawBridge> {
  const raw = new RawBridge(target.channelUrl, bridgeToken);
  opened.push(raw);
  await within(`the ${target.name} socket to open`, raw.opened);
  await raw.next('hello', (f) => f.type === 'hello');
  return raw;
}
