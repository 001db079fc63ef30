import { WebSocket } from 'ws';
import { CLOSE, parseRyzeApiFrame, type BridgeFrame, type EventFrame, type HelloFrame, type ResultFrame } from '../../shared/protocol/channel.frames.js';
import { backoffDelay } from '../common/backoff.js';

export interface ConnectionHandlers {
  onHello(frame: HelloFrame): void;
  onEvent(frame: EventFrame): void;
  onResult(frame: ResultFrame): void;
  /** The socket closed (or could not open); `reconnectInMs` null when the connection stopped for good (4409, 4410). */
  onDown(info: { code: number; reason: string; reconnectInMs: number | null }): void;
}

export interface ConnectionOptions {
  url: string;
  token: string;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

/**
 * One socket to RyzeAPI's `/ws/chatwoot/:instance` (SPEC section 9), kept open: reconnects with
 * exponential backoff and jitter, answers pings (ws does), and drops a peer that stops pinging
 * (half-open TCP). Stops for good on 4409 (another connection replaced it) and 4410 (deleted).
 */
export class ChannelConnection {
  private ws?: WebSocket;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private heartbeatMs = 0;
  private stopped = false;
  /** Highest seq delivered on the current socket: acks never go beyond it. */
  private deliveredHere = -1;
  private ackedHere = -1;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {}

  /** Closed for good (stop(), 4409 or 4410). */
  get ended(): boolean {
    return this.stopped;
  }

  get url(): string {
    return this.options.url;
  }

  /** Open and greeted (hello received). */
  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.deliveredHere >= 0;
  }

  start(): this {
    this.connect();
    return this;
  }

  send(frame: BridgeFrame): boolean {
    if (!this.open) return false;
    this.ws!.send(JSON.stringify(frame));
    return true;
  }

  /** Cumulative ack, capped at what this socket delivered. */
  ack(seq: number): void {
    const target = Math.min(seq, this.deliveredHere);
    if (target > this.ackedHere && this.send({ type: 'ack', seq: target })) this.ackedHere = target;
  }

  /** Closes the socket and stops reconnecting; resolves once the socket is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.watchdog);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => ws.once('close', resolve));
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000, 'bridge closing');
    const forced = setTimeout(() => ws.terminate(), 2000);
    await closed;
    clearTimeout(forced);
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.options.url, { headers: { authorization: `Bearer ${this.options.token}` }, perMessageDeflate: false });
    this.ws = ws;
    this.deliveredHere = this.ackedHere = -1;
    let refusal = '';
    ws.on('unexpected-response', (_req, res) => {
      refusal = `HTTP ${res.statusCode}`;
      res.resume();
      ws.terminate();
    });
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws || isBinary) return;
      this.keepAlive(ws);
      this.onFrame(data.toString());
    });
    ws.on('ping', () => this.keepAlive(ws));
    ws.on('error', (error) => (refusal ||= (error as NodeJS.ErrnoException).code ?? error.message));
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString() || refusal));
  }

  private onFrame(raw: string): void {
    const frame = parseRyzeApiFrame(raw);
    switch (frame?.type) {
      case 'hello':
        this.attempt = 0;
        this.heartbeatMs = frame.heartbeat_ms;
        this.deliveredHere = this.ackedHere = frame.last_acked_seq;
        this.keepAlive(this.ws!);
        return this.handlers.onHello(frame);
      case 'event':
        if (this.deliveredHere < 0) return;
        this.deliveredHere = Math.max(this.deliveredHere, frame.seq);
        return this.handlers.onEvent(frame);
      case 'result':
        return this.handlers.onResult(frame);
      default:
        return; // `error` frames and anything unusable: nothing to do but not crash
    }
  }

  /** RyzeAPI pings every heartbeat_ms: a socket silent for two of them is presumed dead. */
  private keepAlive(ws: WebSocket): void {
    clearTimeout(this.watchdog);
    if (this.heartbeatMs > 0) this.watchdog = setTimeout(() => ws.terminate(), 2 * this.heartbeatMs + 1000).unref();
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.deliveredHere = -1;
    clearTimeout(this.watchdog);
    if (code === CLOSE.replaced || code === CLOSE.deleted) this.stopped = true;
    if (this.stopped) return this.handlers.onDown({ code, reason, reconnectInMs: null });
    const delay = backoffDelay(this.attempt++, this.options.backoffInitialMs, this.options.backoffMaxMs);
    this.handlers.onDown({ code, reason, reconnectInMs: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
