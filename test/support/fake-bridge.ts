import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** How the next matching call fails: an HTTP answer, a dropped connection, or no answer at all. */
export type Failure =
  | { kind: 'http'; status: number; body?: unknown }
  | { kind: 'destroy' }
  | { kind: 'hang' };

export type Route = 'activate' | 'status' | 'delete';

/**
 * A stand-in for RyzeIntegrations' HTTP API (SPEC section 8) on a real loopback server. It keeps
 * integrations in memory, records every request, and can be told to fail in each way the
 * contract names.
 */
export class FakeBridge {
  readonly requests: RecordedRequest[] = [];
  readonly integrations = new Map<string, { instance: string; status: string; inbox_id: number; last_error: string }>();
  /** Failures to apply, per route, consumed in order. */
  readonly failures: Record<Route, Failure[]> = { activate: [], status: [], delete: [] };
  /** inbox_id the next activation reports (0 = not known yet). */
  inboxId = 17;
  /** The service token it accepts; change it to make the service's BRIDGE_TOKEN wrong. */
  token: string;
  private server?: Server;
  private port = 0;
  private hanging: ServerResponse[] = [];
  /** Requests of a paused route wait here (answered normally) until resume(). */
  private readonly paused = new Map<Route, (() => void)[]>();
  private counter = 0;

  constructor(token = 'bridge-secret-token') {
    this.token = token;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens on a random port, or again on the port of a previous start() after stop(). */
  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Closes the server: its port refuses connections until start() is called again. */
  async stop(): Promise<void> {
    this.hanging.forEach((res) => res.destroy());
    this.hanging = [];
    for (const waiting of this.paused.values()) waiting.splice(0).forEach((release) => release());
    this.paused.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  fail(route: Route, failure: Failure): void {
    this.failures[route].push(failure);
  }

  /** Holds the route's requests, unanswered, until resume(route). */
  pause(route: Route): void {
    if (!this.paused.has(route)) this.paused.set(route, []);
  }

  resume(route: Route): void {
    const waiting = this.paused.get(route) ?? [];
    this.paused.delete(route);
    waiting.forEach((release) => release());
  }

  /** The recorded requests of one route, oldest first. */
  requestsTo(route: Route): RecordedRequest[] {
    return this.requests.filter((r) => routeOf(r.method, r.path) === route);
  }

  /** Resolves once `count` requests of the route were received (polls; the test's timeout bounds it). */
  async waitForRequests(route: Route, count: number): Promise<void> {
    while (this.requestsTo(route).length < count) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      const path = req.url ?? '';
      this.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      const route = routeOf(req.method ?? '', path);
      const waiting = route && this.paused.get(route);
      if (waiting) waiting.push(() => this.answer(req, res, route, path, body));
      else this.answer(req, res, route, path, body);
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, route: Route | undefined, path: string, body: any): void {
    const send = (status: number, payload?: unknown) => {
      // No keep-alive: after stop(), the service's next call meets a closed port, not a stale socket.
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return send(401, { error: { message: 'invalid service token' } });
    }
    if (!route) return send(404, { error: { message: 'not found' } });
    const failure = this.failures[route].shift();
    if (failure?.kind === 'hang') return void this.hanging.push(res);
    if (failure?.kind === 'destroy') return void req.socket.destroy();
    if (failure?.kind === 'http') return send(failure.status, failure.body);

    const id = decodeURIComponent(path.split('/').pop() ?? '');
    if (route === 'activate') {
      const integrationId = body.integration_id ?? `int_${++this.counter}`;
      this.integrations.set(integrationId, { instance: body.instance, status: 'active', inbox_id: this.inboxId, last_error: '' });
      return send(body.integration_id ? 200 : 201, { integration_id: integrationId, status: 'active', inbox_id: this.inboxId });
    }
    const integration = this.integrations.get(id);
    if (!integration) return send(404, { error: { message: 'integration not found' } });
    if (route === 'status') return send(200, { integration_id: id, ...integration });
    this.integrations.delete(id);
    return send(204);
  }
}

function routeOf(method: string, path: string): Route | undefined {
  if (method === 'POST' && path === '/v1/integrations/activate') return 'activate';
  if (method === 'GET' && path.startsWith('/v1/integrations/')) return 'status';
  if (method === 'DELETE' && path.startsWith('/v1/integrations/')) return 'delete';
  return undefined;
}
