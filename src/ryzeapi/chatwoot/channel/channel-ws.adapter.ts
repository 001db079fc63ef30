import { Logger, type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { WebSocket, WebSocketServer } from 'ws';

/** A route's answer before the handshake: go ahead, or refuse with a plain HTTP status. */
export type UpgradeVerdict = { accept: true } | { accept: false; status: number; message: string };

/** The asynchronous checks of one gateway path, run before the upgrade; params are the path's `:name` segments. */
export interface UpgradeCheck {
  check(request: IncomingMessage, params: Record<string, string>): Promise<UpgradeVerdict>;
}

type WsData = string | Buffer | ArrayBuffer | Buffer[];

export interface ChannelWsAdapterOptions {
  /** The check of each gateway path (as written in `@WebSocketGateway({ path })`). */
  checks: Record<string, UpgradeCheck>;
  /** Options of every WebSocketServer (maxPayload, perMessageDeflate...). */
  server?: Record<string, unknown>;
  messageParser: (data: WsData) => { event: string; data: unknown } | void;
}

/** Closing sockets get this long to finish their closing handshake when the application stops. */
const CLOSE_GRACE_MS = 1000;

type PathServer = WebSocketServer & { path: string };

/**
 * `WsAdapter` whose gateway paths may hold `:name` segments (the stock adapter matches literal
 * paths only). Before the handshake it runs the path's check and answers a refusal as plain HTTP
 * with the standard error envelope; an upgrade to no gateway path gets a 404 the same way.
 */
export class ChannelWsAdapter extends WsAdapter {
  protected override readonly logger = new Logger(ChannelWsAdapter.name);
  private readonly patterns = new Map<string, { regex: RegExp; keys: string[] }>();
  private listener?: { server: Server; onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void };

  constructor(
    app: INestApplicationContext,
    private readonly options: ChannelWsAdapterOptions,
  ) {
    super(app, { messageParser: options.messageParser });
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}) {
    return super.create(port, { ...this.options.server, ...options });
  }

  /** The stock listener matches literal paths: this one is installed instead (on the application's server, port 0). */
  protected override ensureHttpServerExists(port: number, httpServer?: Server): Server | undefined {
    if (this.httpServersRegistry.has(port) || !httpServer) return super.ensureHttpServerExists(port, httpServer);
    this.httpServersRegistry.set(port, httpServer);
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(port, req, socket, head);
    httpServer.on('upgrade', onUpgrade);
    this.listener = { server: httpServer, onUpgrade };
    return httpServer;
  }

  /**
   * Each frame goes straight to its handler, in order. The stock binding builds a chain of rxjs
   * streams per socket: `npm run bench` measured 14 KiB of heap per bridge socket with it, 6.9
   * without (5.1 before the gateway). A handler's non-empty result is sent back as JSON, as the
   * stock adapter does (observable results are not supported here).
   */
  override bindMessageHandlers(client: WebSocket, handlers: MessageMappingProperties[]): void {
    const byMessage = new Map(handlers.map((handler) => [handler.message, handler]));
    client.on('message', (data: Buffer, isBinary: boolean) => {
      const message = this.messageParser(isBinary ? data : data.toString());
      const handler = message && byMessage.get(message.event);
      if (!message || !handler) return;
      void Promise.resolve(handler.callback(message.data, message.event)).then(
        (response) => response != null && client.readyState === client.OPEN && client.send(JSON.stringify(response)),
        (error) => this.logger.error(error),
      );
    });
  }

  /** Socket errors are the gateway's to log (with their instance); the stock handler logs each one as an error. */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('error', (error) => this.logger.error(error));
    return server;
  }

  /** Sockets the application closed finish their closing handshake (within a grace); the stock close terminates them at once. */
  override async close(server: WebSocketServer): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const timer = setTimeout(() => server.clients.forEach((ws) => ws.terminate()), CLOSE_GRACE_MS).unref();
    await closed;
    clearTimeout(timer);
  }

  override async dispose(): Promise<void> {
    this.listener?.server.off('upgrade', this.listener.onUpgrade);
    this.listener = undefined;
    await super.dispose();
  }

  private async upgrade(port: number, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    for (const server of (this.wsServersRegistry.get(port) ?? []) as PathServer[]) {
      const params = this.match(server.path, path);
      if (!params) continue;
      try {
        const verdict = (await this.options.checks[server.path]?.check(req, params)) ?? { accept: true };
        if (!verdict.accept) return refuse(socket, verdict.status, verdict.message);
        server.handleUpgrade(req, socket, head, (ws) => server.emit('connection', ws, req));
      } catch (error) {
        this.logger.error({ err: error }, 'websocket upgrade failed');
        refuse(socket, 500, 'internal error');
      }
      return;
    }
    refuse(socket, 404, 'route not found');
  }

  private match(route: string, path: string): Record<string, string> | undefined {
    let pattern = this.patterns.get(route);
    if (!pattern) {
      const keys: string[] = [];
      const source = route
        .split('/')
        .map((part) => (part.startsWith(':') ? (keys.push(part.slice(1)), '([^/]+)') : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/');
      pattern = { regex: new RegExp(`^${source}/?$`), keys };
      this.patterns.set(route, pattern);
    }
    const found = pattern.regex.exec(path);
    return found ? Object.fromEntries(pattern.keys.map((key, i) => [key, safeDecode(found[i + 1])])) : undefined;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ success: false, error: { message } });
  const reason = { 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
