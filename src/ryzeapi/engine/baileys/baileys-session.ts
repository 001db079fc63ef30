import { DisconnectReason, jidNormalizedUser, type BaileysEventMap, type ConnectionState } from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { WhatsAppConfig } from '../../config/whatsapp-config.js';
import type { InstanceRef } from '../engine.types.js';
import type { BaileysSocket, BaileysSocketFactory, SocketOptions } from './baileys-socket.factory.js';
import type { StoredSession } from './database-auth-state.js';

/** What a waiting `connect` learns: connected, a QR to show, the device logged out, or a failure. */
export type Outcome =
  | { kind: 'open' }
  | { kind: 'qr'; qr: string }
  | { kind: 'loggedout' }
  | { kind: 'failed'; detail: string };

/** What the session reports to the engine; each call is awaited, in the order the socket raised it. */
export interface SessionListener {
  opened(session: BaileysSession): Promise<void>;
  disconnected(session: BaileysSession): Promise<void>;
  loggedOut(session: BaileysSession): Promise<void>;
  /** The session gave up (not paired and nobody pairing, or replaced by another client). */
  ended(session: BaileysSession): void;
  messages(session: BaileysSession, upsert: BaileysEventMap['messages.upsert']): Promise<void>;
  updates(session: BaileysSession, updates: BaileysEventMap['messages.update']): Promise<void>;
  receipts(session: BaileysSession, receipts: BaileysEventMap['message-receipt.update']): Promise<void>;
}

export interface SessionDeps {
  factory: BaileysSocketFactory;
  config: WhatsAppConfig;
  logger: ILogger;
  listener: SessionListener;
  getMessage: SocketOptions['getMessage'];
}

const statusCode = (error: unknown): number | undefined =>
  (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;

/**
 * One instance's WhatsApp connection: the socket, its QR, reconnects with backoff after transient
 * closes, and the final stop when WhatsApp logs the device out. Socket events are handled one at a
 * time in the order they came; events of a socket this session has replaced are ignored.
 */
export class BaileysSession {
  private socket?: BaileysSocket;
  private generation = 0;
  private open = false;
  private qr?: string;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly waiters = new Set<(outcome: Outcome) => void>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly instance: InstanceRef,
    readonly stored: StoredSession,
    private readonly deps: SessionDeps,
  ) {}

  get connected(): boolean {
    return this.open;
  }

  /** The paired phone's JID ('' before pairing). */
  get ownJid(): string {
    return jidNormalizedUser(this.stored.state.creds.me?.id);
  }

  /** The live socket (for sends and media), when connected. */
  get liveSocket(): BaileysSocket | undefined {
    return this.open ? this.socket : undefined;
  }

  start(): void {
    const generation = ++this.generation;
    let socket: BaileysSocket;
    try {
      socket = this.deps.factory.create({ auth: this.stored.state, logger: this.deps.logger, getMessage: this.deps.getMessage });
    } catch (error) {
      void this.enqueue(() => this.closed(error));
      return;
    }
    this.socket = socket;
    const on = <E extends keyof BaileysEventMap>(event: E, handle: (arg: BaileysEventMap[E]) => Promise<void>) =>
      socket.ev.on(event, (arg) => {
        if (generation === this.generation) void this.enqueue(() => handle(arg));
      });
    on('connection.update', (update) => this.connectionUpdate(update));
    on('creds.update', () => this.stored.saveCreds());
    on('messages.upsert', (upsert) => this.deps.listener.messages(this, upsert));
    on('messages.update', (updates) => this.deps.listener.updates(this, updates));
    on('message-receipt.update', (receipts) => this.deps.listener.receipts(this, receipts));
  }

  /** The current state if it is known, else the next outcome, or a failure after timeoutMs. */
  waitFor(timeoutMs: number): Promise<Outcome> {
    if (this.open) return Promise.resolve({ kind: 'open' });
    if (this.qr) return Promise.resolve({ kind: 'qr', qr: this.qr });
    if (this.stopped) return Promise.resolve({ kind: 'failed', detail: 'the session was stopped' });
    return new Promise((resolve) => {
      const waiter = (outcome: Outcome) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(outcome);
      };
      const timer = setTimeout(() => waiter({ kind: 'failed', detail: `no answer from WhatsApp within ${this.deps.config.connectTimeoutMs} ms` }), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Skips the rest of a reconnect backoff (someone is waiting for the connection now). */
  reconnectNow(): void {
    if (!this.timer || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.start();
  }

  /** Asks WhatsApp for a code to type on the phone; valid while a QR would be (the socket is up, not paired). */
  requestPairingCode(phoneNumber: string): Promise<string> {
    if (!this.socket || this.open) throw new Error('no pairing under way');
    return this.socket.requestPairingCode(phoneNumber);
  }

  /** Logs out at WhatsApp when connected, then stops. */
  async logout(): Promise<void> {
    const socket = this.liveSocket;
    this.halt();
    await socket?.logout().catch(() => undefined);
    socket?.end(undefined);
    await this.idle();
  }

  /** Stops without logging out (service shutdown): the stored session resumes at the next start. */
  async stop(): Promise<void> {
    const socket = this.socket;
    this.halt();
    socket?.end(undefined);
    await this.idle();
  }

  /** Resolves when the events taken so far are handled (and their writes done). */
  idle(): Promise<void> {
    return this.queue;
  }

  private halt(outcome: Outcome = { kind: 'failed', detail: 'the session was stopped' }): void {
    this.stopped = true;
    this.open = false;
    this.generation++;
    clearTimeout(this.timer);
    this.settle(outcome);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((error) => this.deps.logger.error({ err: error, instance: this.instance.name }, 'WhatsApp event handling failed'));
    return this.queue;
  }

  private settle(outcome: Outcome): void {
    [...this.waiters].forEach((waiter) => waiter(outcome));
  }

  private async connectionUpdate({ connection, lastDisconnect, qr }: Partial<ConnectionState>): Promise<void> {
    if (qr) {
      this.qr = qr;
      this.settle({ kind: 'qr', qr });
    }
    if (connection === 'open') {
      this.open = true;
      this.qr = undefined;
      this.attempt = 0;
      await this.deps.listener.opened(this);
      this.settle({ kind: 'open' });
    }
    if (connection === 'close') await this.closed(lastDisconnect?.error);
  }

  private async closed(error: unknown): Promise<void> {
    const wasOpen = this.open;
    this.open = false;
    this.qr = undefined;
    if (this.stopped) return;
    const code = statusCode(error);
    const detail = (error instanceof Error && error.message) || 'connection closed';
    if (code === DisconnectReason.loggedOut) {
      // A waiting connect waits for idle() (the stored session deleted) and then pairs anew.
      this.halt({ kind: 'loggedout' });
      await this.deps.listener.loggedOut(this);
      return;
    }
    if (wasOpen) await this.deps.listener.disconnected(this);
    if (code === DisconnectReason.restartRequired) {
      // WhatsApp asks for a new connection right after pairing: not a failure.
      this.start();
      return;
    }
    this.settle({ kind: 'failed', detail });
    if (code === DisconnectReason.connectionReplaced || !this.stored.paired()) {
      // Replaced: another client uses this session now. Not paired: nothing to resume (QR expired, or unreachable).
      this.halt();
      this.deps.listener.ended(this);
      return;
    }
    const { reconnectBaseMs, reconnectMaxMs } = this.deps.config;
    const delay = Math.min(reconnectMaxMs, reconnectBaseMs * 2 ** this.attempt++);
    this.deps.logger.warn({ instance: this.instance.name, code, delayMs: delay }, 'WhatsApp connection closed; reconnecting');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, delay);
    this.timer.unref();
  }
}
