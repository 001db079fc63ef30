/**
 * ChannelClient: the reference client for RyzeAPI's bridge channel (`/ws/chatwoot/:instance`, SPEC section 9).
 *
 * It is meant to be read: it shows everything a correct bridge does on this socket, and nothing
 * else. See docs/bridge-protocol.md for the protocol itself.
 *
 *   - connects with `Authorization: Bearer <token>` and reads the `hello` frame;
 *   - hands `event` frames to `onEvent` one at a time, in `seq` order, and waits for it to finish;
 *   - drops any `seq` it has already processed (events are redelivered after a reconnect);
 *   - acknowledges cumulatively, a few events at a time or after a short delay;
 *   - reconnects with exponential backoff and jitter after an unexpected close, and stops for
 *     good on 4409 (a newer connection replaced this one) and 4410 (the integration was deleted);
 *   - sends `send` commands and resolves each with the `result` frame of the same id, re-sending
 *     unanswered commands with the same id after a reconnect (RyzeAPI runs each id at most once).
 *
 * The processed high-water mark lives in memory here. A bridge that must survive its own restarts
 * stores `lastSeq` with the effects of `onEvent` (same transaction) and passes it back in `lastSeq`.
 */
import WebSocket from 'ws';

import {
  CLOSE, type BridgeFrame, type ErrorFrame, type EventFrame, type HelloFrame, type ResultFrame, type RyzeApiFrame, type SendRequest,
} from '../src/shared/protocol/channel.frames.js';

export interface ChannelClientOptions {
  /** ws(s)://host/ws/chatwoot/<instance>, as given in the activation request's `ryzeapi.ws_url`. */
  url: string;
  /** BRIDGE_TOKEN. */
  token: string;
  /** Processes one event. Called in seq order, never concurrently; the event is acked after it resolves. A throw reconnects and gets it redelivered. */
  onEvent(frame: EventFrame): void | Promise<void>;
  /** Ack after this many processed events (default 100)... */
  ackEvery?: number;
  /** ...or this long after the first unacked one (default 50 ms). */
  ackDelayMs?: number;
  /** Reconnect delays: min(maxMs, initialMs * 2^attempt), times a random factor in [0.5, 1). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** The highest seq already processed, when the bridge stores it (default: none). */
  lastSeq?: number;
  onHello?(frame: HelloFrame): void;
  /** `error` frames: RyzeAPI could not use a frame we sent. */
  onErrorFrame?(frame: ErrorFrame): void;
  /** A seq was skipped (the service dropped unacknowledged events after its retention limit). */
  onGap?(expected: number, received: number): void;
  onDisconnect?(info: { code: number; reason: string; reconnectInMs: number | null }): void;
}

/** Why the client stopped for good. */
export interface Stopped {
  code: number;
  reason: string;
}

const REPLACED = CLOSE.replaced;
const DELETED = CLOSE.deleted;

export class ChannelClient {
  private ws?: WebSocket;
  private processed: number;
  /** Highest seq delivered on the current socket: acks never go beyond what this socket sent. */
  private deliveredHere = -1;
  private ackedHere = -1;
  private ackTimer?: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private stopped = false;
  private watchdog?: NodeJS.Timeout;
  private heartbeatMs = 0;
  private readonly pending = new Map<string, { command: SendRequest; result: Promise<ResultFrame>; resolve(r: ResultFrame): void; reject(e: Error): void }>();
  private resolveStopped!: (s: Stopped) => void;
  /** Resolves when the client stops for good: close(), 4409 or 4410. */
  readonly stoppedWith: Promise<Stopped> = new Promise((resolve) => (this.resolveStopped = resolve));
  /** Event frames dropped because their seq was already processed. */
  duplicates = 0;
  /** Connections opened (hello received). */
  connections = 0;

  constructor(private readonly options: ChannelClientOptions) {
    this.processed = options.lastSeq ?? 0;
  }

  /** The highest seq processed so far. */
  get lastSeq(): number {
    return this.processed;
  }

  /** The live socket, if any (for diagnostics and tests). */
  get socket(): WebSocket | undefined {
    return this.ws;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.deliveredHere >= 0;
  }

  start(): this {
    this.connect();
    return this;
  }

  /** Sends a command; resolves with its `result`. Unanswered commands are re-sent after a reconnect. */
  send(command: SendRequest): Promise<ResultFrame> {
    if (this.stopped) return Promise.reject(new Error('channel client is stopped'));
    const waiting = this.pending.get(command.id);
    if (waiting) return waiting.result;
    let resolve!: (r: ResultFrame) => void, reject!: (e: Error) => void;
    const result = new Promise<ResultFrame>((res, rej) => ((resolve = res), (reject = rej)));
    this.pending.set(command.id, { command, result, resolve, reject });
    if (this.connected) this.write({ type: 'send', ...command });
    return result;
  }

  /** Acks what was processed, closes the socket (1000), stops reconnecting; resolves once the socket is closed. */
  async close(): Promise<Stopped> {
    const ws = this.ws;
    if (!this.stopped) {
      await this.queue;
      this.flushAck();
      this.stop(1000, 'closed by the bridge');
      ws?.close(1000, 'bye');
    }
    if (ws && ws.readyState !== WebSocket.CLOSED) await new Promise((resolve) => ws.once('close', resolve));
    return this.stoppedWith;
  }

  private connect(): void {
    const ws = new WebSocket(this.options.url, { headers: { authorization: `Bearer ${this.options.token}` } });
    this.ws = ws;
    this.deliveredHere = this.ackedHere = -1;
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws || isBinary) return;
      this.keepAlive(ws);
      let frame;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return; // RyzeAPI only sends JSON; ignore anything else rather than crash
      }
      this.onFrame(ws, frame);
    });
    ws.on('ping', () => this.keepAlive(ws));
    // A failed handshake (401, 404, refused...) also ends in 'close' (code 1006): retried like a drop.
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private onFrame(ws: WebSocket, frame: RyzeApiFrame): void {
    switch (frame.type) {
      case 'hello':
        this.connections++;
        this.heartbeatMs = frame.heartbeat_ms;
        this.keepAlive(ws);
        this.attempt = 0;
        this.deliveredHere = this.ackedHere = frame.last_acked_seq;
        // Everything up to last_acked_seq is gone from the service: nothing below it will come again.
        this.processed = Math.max(this.processed, frame.last_acked_seq);
        this.options.onHello?.(frame);
        for (const { command } of this.pending.values()) this.write({ type: 'send', ...command });
        return;
      case 'event':
        this.deliveredHere = frame.seq;
        this.queue = this.queue.then(() => this.process(ws, frame));
        return;
      case 'result': {
        const waiting = this.pending.get(frame.id);
        this.pending.delete(frame.id);
        waiting?.resolve(frame);
        return;
      }
      case 'error':
        this.options.onErrorFrame?.(frame);
        return;
    }
  }

  /** Runs on the queue: one event at a time, in the order received. */
  private async process(ws: WebSocket, frame: EventFrame): Promise<void> {
    // That socket was cut, closed or failed an event: unacked events come again on the next one.
    if (ws.readyState !== WebSocket.OPEN || this.stopped) return;
    if (frame.seq <= this.processed) {
      this.duplicates++;
    } else {
      if (frame.seq !== this.processed + 1) this.options.onGap?.(this.processed + 1, frame.seq);
      try {
        await this.options.onEvent(frame);
      } catch {
        // Not processed: drop this socket without acking; the event is redelivered on the next one.
        ws.terminate();
        return;
      }
      this.processed = frame.seq;
    }
    this.scheduleAck();
  }

  /** The service pings every heartbeat_ms: a silent socket is presumed dead (half-open TCP) and dropped. */
  private keepAlive(ws: WebSocket): void {
    clearTimeout(this.watchdog);
    if (this.heartbeatMs > 0) this.watchdog = setTimeout(() => ws.terminate(), 2 * this.heartbeatMs + 1000).unref();
  }

  private scheduleAck(): void {
    const target = Math.min(this.processed, this.deliveredHere);
    if (target - this.ackedHere >= (this.options.ackEvery ?? 100)) return this.flushAck();
    this.ackTimer ??= setTimeout(() => this.flushAck(), this.options.ackDelayMs ?? 50);
  }

  private flushAck(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    // Cumulative: one ack covers every event up to seq. Only seqs this socket delivered may be acked.
    const seq = Math.min(this.processed, this.deliveredHere);
    if (seq > this.ackedHere && this.ws?.readyState === WebSocket.OPEN) {
      this.ackedHere = seq;
      this.write({ type: 'ack', seq });
    }
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    clearTimeout(this.watchdog);
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (code === REPLACED || code === DELETED) this.stop(code, reason);
    if (this.stopped) return this.options.onDisconnect?.({ code, reason, reconnectInMs: null });
    const { initialMs = 250, maxMs = 30_000 } = this.options.backoff ?? {};
    const delay = Math.round(Math.min(maxMs, initialMs * 2 ** this.attempt++) * (0.5 + Math.random() / 2));
    this.options.onDisconnect?.({ code, reason, reconnectInMs: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private stop(code: number, reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    for (const { reject } of this.pending.values()) reject(new Error(`channel client stopped (${code} ${reason})`));
    this.pending.clear();
    this.resolveStopped({ code, reason });
  }

  private write(frame: BridgeFrame): void {
    this.ws?.send(JSON.stringify(frame));
  }
}

