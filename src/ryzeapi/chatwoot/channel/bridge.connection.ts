import { Logger } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { InstanceRef } from '../../engine/engine.types.js';
import { CLOSE, type ResultFrame, type SendCommand } from '../../../shared/protocol/channel.frames.js';
import type { HeldEventsBudget } from './held-events.budget.js';
import type { OutboxEvent } from './outbox-events.repository.js';

export interface ConnectionDeps {
  baseUrl: string;
  window: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
  stallTimeoutMs: number;
  held: Pick<HeldEventsBudget, 'take' | 'release'>;
  read(afterSeq: number, limit: number): Promise<OutboxEvent[]>;
  /** `count`: how many events this ack covers beyond the previous one. */
  ack(seq: number, count: number): void;
  execute(command: SendCommand): Promise<ResultFrame>;
}

const READ_PAGE = 1000;
/** The memory a held event is counted for: V8 keeps its JSON in one or two bytes per character. */
const heldSize = (event: OutboxEvent) => 2 * event.json.length;
/** How often a throttled socket is looked at (to resume it, or to close it when it stays stuck). */
const THROTTLE_CHECK_MS = 50;

/**
 * One bridge socket: sends `hello`, then every stored event after the acknowledged cursor, keeping
 * at most `window` unacknowledged events in flight. Fresh events are handed over from memory: at
 * once when the window has room, or held (within the node's HeldEventsBudget) until acks make room.
 * The outbox is read only for what memory does not have: the backlog at connect, and events beyond
 * what was held.
 * It is not read when every stored event is known to be sent (no statements that find nothing).
 *
 * Backpressure: when the unsent data (ws's buffer plus the commands waiting here) passes
 * `maxBufferedBytes`, the socket stops being read and gets no more events; it resumes once that is
 * down to half. A peer whose buffer does not drain to half within `stallTimeoutMs` is closed (1008).
 */
export class BridgeConnection {
  private readonly logger = new Logger(BridgeConnection.name);
  private lastSent: number;
  private lastAcked: number;
  /**
   * The highest seq known to be stored. Unknown (infinite) until a read comes back short: events
   * stored before this socket registered reach it only through the outbox.
   */
  private stored = Number.MAX_SAFE_INTEGER;
  /** Consecutive events appended and not yet sent, from held[heldStart]; their size taken from the budget. */
  private held: OutboxEvent[] = [];
  private heldStart = 0;
  private heldBytes = 0;
  private pumping = false;
  private pumpAgain = false;
  private corked = false;
  private readonly instanceData: string;
  private commands: Promise<unknown> = Promise.resolve();
  /** Bytes of `send` frames taken and not yet answered. */
  private queuedBytes = 0;
  private throttled?: { timer: NodeJS.Timeout; stuckSince: number };
  /** Closed for not reading: what it still sends is dropped unread. */
  private stalled = false;
  alive = true;

  constructor(
    readonly instance: InstanceRef,
    readonly socket: WebSocket,
    integrationId: string,
    lastAckedSeq: number,
    private readonly deps: ConnectionDeps,
  ) {
    this.lastSent = this.lastAcked = lastAckedSeq;
    this.instanceData = JSON.stringify({ baseUrl: deps.baseUrl, instance: instance.name });
    socket.on('pong', () => (this.alive = true));
    socket.once('close', () => this.releaseHeld());
    this.sendFrame({ type: 'hello', instance: instance.name, integration_id: integrationId, last_acked_seq: lastAckedSeq, heartbeat_ms: deps.heartbeatMs });
    void this.pump();
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Events just stored (consecutive seqs): sent from memory, now or once the window has room. */
  appended(events: OutboxEvent[]): void {
    if (!events.length) return;
    const last = events[events.length - 1].seq;
    if (this.stored === Number.MAX_SAFE_INTEGER || last > this.stored) this.stored = last;
    const sent = this.sendAtOnce(events);
    if (sent < events.length) this.hold(sent ? events.slice(sent) : events);
    if (!this.pumping && this.nextHeld()?.seq === this.lastSent + 1) this.sendHeld();
    if (this.lastSent < this.stored) void this.pump();
  }

  /** Sends what is next in line while the window has room (nothing held or being read before it); returns how many. */
  private sendAtOnce(events: OutboxEvent[]): number {
    if (this.pumping || this.nextHeld() !== undefined) return 0;
    let sent = 0;
    while (sent < events.length && events[sent].seq === this.lastSent + 1 && this.room() > 0 && !this.throttled && this.open) this.sendEvent(events[sent++]);
    return sent;
  }

  private hold(events: OutboxEvent[]): void {
    const holding = this.nextHeld() !== undefined;
    const tail = holding ? this.held[this.held.length - 1].seq : this.lastSent;
    if (events[0].seq !== tail + 1) {
      // Not next to what is held (some were not kept): these are read back later, unless nothing
      // is held, then memory starts over from them (what lies before them is read back).
      if (holding || events[0].seq <= tail) return;
      this.held = [];
      this.heldStart = 0;
    }
    let bytes = 0;
    for (const event of events) bytes += heldSize(event);
    if (!this.open || !this.deps.held.take(bytes, this.heldBytes)) return;
    this.heldBytes += bytes;
    for (const event of events) this.held.push(event);
  }

  private nextHeld(): OutboxEvent | undefined {
    let sent = 0;
    while (this.heldStart < this.held.length && this.held[this.heldStart].seq <= this.lastSent) sent += heldSize(this.held[this.heldStart++]);
    if (sent) {
      this.heldBytes -= sent;
      this.deps.held.release(sent);
    }
    if (this.heldStart === this.held.length && this.heldStart) {
      this.held = [];
      this.heldStart = 0;
    }
    return this.held[this.heldStart];
  }

  private releaseHeld(): void {
    this.deps.held.release(this.heldBytes);
    this.heldBytes = 0;
    this.held = [];
    this.heldStart = 0;
  }

  /** Sends held events that are next in line, as far as the window and backpressure allow. */
  private sendHeld(): void {
    for (let next = this.nextHeld(); next?.seq === this.lastSent + 1 && this.room() > 0 && !this.throttled && this.open; next = this.nextHeld()) {
      this.sendEvent(next);
    }
  }

  private room(): number {
    return this.deps.window - (this.lastSent - this.lastAcked);
  }

  /**
   * Events up to `seq` were stored by another node (unknown how far, when not given: after lost
   * notifications): they are read from the outbox.
   */
  wake(seq?: number): void {
    if (seq === undefined) this.stored = Number.MAX_SAFE_INTEGER;
    else if (this.stored !== Number.MAX_SAFE_INTEGER && seq > this.stored) this.stored = seq;
    void this.pump();
  }

  close(code: number, reason: string): void {
    if (this.open) this.socket.close(code, reason);
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (this.open && !this.throttled && this.room() > 0) {
          this.sendHeld();
          if (this.throttled || this.room() <= 0 || this.lastSent >= this.stored) break;
          // Read only up to what memory holds.
          const heldFrom = this.nextHeld()?.seq;
          const storedBefore = this.stored;
          const limit = Math.min(this.room(), READ_PAGE, (heldFrom ?? Infinity) - this.lastSent - 1);
          const events = await this.deps.read(this.lastSent, limit);
          for (const event of events) {
            if (this.throttled) break;
            if (event.seq > this.lastSent) this.sendEvent(event);
          }
          if (events.length < limit && !this.throttled) this.readShort(heldFrom, storedBefore);
        }
      } while (this.pumpAgain && this.open);
    } catch (error) {
      this.logger.error({ err: error, instance: this.instance.name }, 'reading the outbox failed; closing the socket');
      this.close(1011, 'internal error');
    } finally {
      this.pumping = false;
    }
  }

  /**
   * A read found less than it asked for. Everything known when it was issued was stored before, so
   * what it did not find is not in the outbox (retention dropped it): skip to what memory holds, or
   * note that nothing more is stored. What became known meanwhile is read again.
   */
  private readShort(heldFrom: number | undefined, storedBefore: number): void {
    const next = this.nextHeld();
    if (next && next.seq === heldFrom && next.seq > this.lastSent + 1) this.lastSent = next.seq - 1;
    else if (!next && this.stored === storedBefore) this.stored = this.lastSent;
  }

  /** Built as text: the payload is sent as stored, with no parse and stringify. */
  private sendEvent(event: OutboxEvent): void {
    this.lastSent = event.seq;
    this.sendText(`{"type":"event","seq":${event.seq},"event":${JSON.stringify(event.event)},"data":${event.json},"instanceData":${this.instanceData}}`);
  }

  private sendFrame(frame: object): void {
    this.sendText(JSON.stringify(frame));
  }

  private sendText(text: string): void {
    if (!this.open) return;
    // ws writes each frame with its own syscall; holding the TCP socket corked until the current
    // burst of frames is queued sends the burst in one write (about 8 us less per event).
    const raw = this.tcp;
    if (raw && !this.corked) {
      this.corked = true;
      raw.cork();
      process.nextTick(() => {
        this.corked = false;
        raw.uncork();
      });
    }
    this.socket.send(text);
    this.checkBuffered();
  }

  /** ws's TCP socket: `_socket` is ws's own field, not its API; without it, the shortcuts it serves are skipped. */
  private get tcp(): Socket | undefined {
    return (this.socket as unknown as { _socket?: Socket })._socket;
  }

  private checkBuffered(): void {
    if (this.throttled || this.socket.bufferedAmount + this.queuedBytes <= this.deps.maxBufferedBytes) return;
    this.socket.pause();
    const timer = setInterval(() => this.whileThrottled(), THROTTLE_CHECK_MS).unref();
    this.throttled = { timer, stuckSince: Date.now() };
    // Resumes as soon as the peer has taken everything, rather than at the next check.
    if (this.tcp?.writableNeedDrain) this.tcp.once('drain', () => this.throttled?.timer === timer && this.whileThrottled());
  }

  private whileThrottled(): void {
    const throttled = this.throttled!;
    const limit = this.deps.maxBufferedBytes;
    const outgoing = this.socket.bufferedAmount;
    if (!this.open || outgoing + this.queuedBytes <= limit / 2) {
      clearInterval(throttled.timer);
      this.throttled = undefined;
      if (!this.open) return;
      this.socket.resume();
      void this.pump();
      return;
    }
    // Only the peer not reading counts as stuck; our own backlog of commands just keeps it paused.
    if (outgoing <= limit / 2) throttled.stuckSince = Date.now();
    else if (Date.now() - throttled.stuckSince >= this.deps.stallTimeoutMs) {
      clearInterval(throttled.timer);
      this.logger.warn(
        { instance: this.instance.name, bufferedBytes: outgoing, stallTimeoutMs: this.deps.stallTimeoutMs },
        'bridge socket is not reading its frames; closing it (1008)',
      );
      this.close(CLOSE.stalled, 'not reading its frames');
      // Reading again (and dropping what comes, unparsed: its frames no longer reach the gateway)
      // lets the closing handshake finish if it ever reads; ws destroys the socket after its close
      // timeout otherwise.
      this.stalled = true;
      this.socket.removeAllListeners('message');
      this.socket.resume();
    }
  }

  /** False once closed for not reading: what it still sends is dropped unread. */
  get reading(): boolean {
    return !this.stalled;
  }

  /** A `send`: executed in turn (one command at a time per socket, so replies reach WhatsApp in the order sent). */
  send(command: SendCommand, bytes: number): void {
    this.queuedBytes += bytes;
    this.checkBuffered();
    this.commands = this.commands.then(() =>
      this.deps.execute(command).then(
        (result) => {
          this.queuedBytes -= bytes;
          this.sendFrame(result);
        },
        (error) => {
          this.queuedBytes -= bytes;
          this.logger.error({ err: error, instance: this.instance.name }, 'command failed');
          this.sendFrame({ type: 'result', id: command.id, ok: false, error: 'internal error' });
        },
      ),
    );
  }

  /** A frame it could not use: answered with an `error` frame, or a failed `result` when it names its command. */
  invalid(message: string, commandId?: string): void {
    this.sendFrame(commandId ? { type: 'result', id: commandId, ok: false, error: message } : { type: 'error', message });
  }

  /** A cumulative ack. */
  ack(seq: number): void {
    if (seq > this.lastSent) return this.invalid(`invalid frame: ack.seq ${seq} is beyond the last event sent (${this.lastSent})`);
    if (seq <= this.lastAcked) return;
    const count = seq - this.lastAcked;
    this.lastAcked = seq;
    this.deps.ack(seq, count);
    void this.pump();
  }
}
