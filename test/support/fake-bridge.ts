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

/**
 * A stand-in for RyzeIntegrations' HTTP API (SPEC section 8) on a real loopback server. It keeps
 * integrations in memory, records every request, and can be told to fail in each way the
 * contract names.
 */
export class FakeBridge {
  readonly requests: RecordedRequest[] = [];
  readonly integrations = new Map<string, { instance: string; status: string; inbox_id: number; last_error: string }>();
  /** Failures to apply, per route ('activate' | 'status' | 'delete'), consumed in order. */
  readonly failures: Record<'activate' | 'status' | 'delete', Failure[]> = { activate: [], status: [], delete: [] };
  /** inbox_id the next activation reports (0 = not known yet). */
  inboxId = 17;
  private server?: Server;
  private hanging: ServerResponse[] = [];
  private counter = 0;

  constructor(readonly token = 'bridge-secret-token') {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.hanging.forEach((res) => res.destroy());
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  fail(route: keyof FakeBridge['failures'], failure: Failure): void {
    this.failures[route].push(failure);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      const path = req.url ?? '';
      this.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      const send = (status: number, payload?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(payload === undefined ? undefined : JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        return send(401, { error: { message: 'invalid service token' } });
      }
      const route = req.method === 'POST' && path === '/v1/integrations/activate' ? 'activate'
        : req.method === 'GET' && path.startsWith('/v1/integrations/') ? 'status'
        : req.method === 'DELETE' && path.startsWith('/v1/integrations/') ? 'delete'
        : undefined;
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
    });
  }
}
