/**
 * A stand-in for Baileys' socket (what the engine takes from BaileysSocketFactory): an `ev` emitter
 * with Baileys' own event names, the methods the engine calls (recorded), and drivers that make it
 * behave as the library does (pairing writes credentials and keys through the auth state it was
 * given, closes emit `connection.update` with a Boom-shaped `lastDisconnect.error`).
 */
import type { AuthenticationCreds, WAMessage } from '@whiskeysockets/baileys';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { proto } from '../../src/ryzeapi/engine/baileys/baileys-proto.js';
import { BaileysSocketFactory, type BaileysSocket, type SocketOptions } from '../../src/ryzeapi/engine/baileys/baileys-socket.factory.js';
import { waitFor } from './channel-helpers.js';
import { TEST_KEY } from './test-app.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/baileys');

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

/** A recorded message as Baileys emits it: a protobuf WebMessageInfo. */
export const toProto = (json: object) => proto.WebMessageInfo.fromObject(json);

/** `lastDisconnect.error` is a Boom: an Error with `output.statusCode`. */
export function boom(message: string, statusCode: number): Error {
  return Object.assign(new Error(message), { output: { statusCode, payload: { statusCode, message }, headers: {} } });
}

/** A `connection.update` fixture with its error made a Boom again. */
export function closeUpdate(name: string) {
  const { connection, lastDisconnect } = fixture(name);
  return { connection, lastDisconnect: { error: boom(lastDisconnect.error.message, lastDisconnect.error.output.statusCode), date: new Date(lastDisconnect.date) } };
}

export const OWN_JID = '5511912345678@s.whatsapp.net';

export interface SentCall {
  jid: string;
  content: any;
  options: any;
}

export class FakeBaileysSocket {
  readonly ev = new EventEmitter();
  readonly sent: SentCall[] = [];
  readonly pairingRequests: string[] = [];
  /** Numbers (JIDs) onWhatsApp reports as not on WhatsApp. */
  readonly notOnWhatsApp = new Set<string>();
  loggedOut = false;
  ended = false;

  constructor(readonly options: SocketOptions) {}

  get creds(): AuthenticationCreds {
    return this.options.auth.creds;
  }

  get user() {
    return this.creds.me;
  }

  emit(event: string, data: unknown): void {
    this.ev.emit(event, data);
  }

  showQr(qr: string): void {
    this.emit('connection.update', { qr });
  }

  open(): void {
    this.emit('connection.update', { connection: 'open' });
  }

  close(error: Error): void {
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
  }

  /**
   * What Baileys does when the phone scans the QR: credentials updated (in place, then
   * `creds.update`), keys stored through the key store, then a close asking for a restart.
   */
  async pair(): Promise<void> {
    Object.assign(this.creds, {
      me: { id: '5511912345678:7@s.whatsapp.net', name: 'Ryze' },
      platform: 'android',
      account: {
        details: randomBytes(32),
        accountSignatureKey: randomBytes(32),
        accountSignature: randomBytes(64),
        deviceSignature: randomBytes(64),
      },
    });
    this.emit('creds.update', this.creds);
    await this.options.auth.keys.set({
      'pre-key': { '1': { public: randomBytes(32), private: randomBytes(32) }, '2': { public: randomBytes(32), private: randomBytes(32) } },
      session: { '5511999999999.0': randomBytes(120) },
    });
  }

  async sendMessage(jid: string, content: any, options: any = {}): Promise<WAMessage> {
    this.sent.push({ jid, content, options });
    const message = content.text !== undefined ? { extendedTextMessage: { text: content.text } } : { imageMessage: { caption: content.caption } };
    return toProto({
      key: { remoteJid: jid, fromMe: true, id: `3EB0${randomBytes(8).toString('hex').toUpperCase()}` },
      message,
      messageTimestamp: Math.floor(Date.now() / 1000),
      status: 1,
    });
  }

  async onWhatsApp(...jids: string[]) {
    return jids.map((jid) => ({ jid, exists: !this.notOnWhatsApp.has(jid) }));
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingRequests.push(phoneNumber);
    Object.assign(this.creds, { pairingCode: 'ABCD1234', me: { id: `${phoneNumber}@s.whatsapp.net`, name: '~' } });
    this.emit('creds.update', this.creds);
    return 'ABCD1234';
  }

  async logout(): Promise<void> {
    this.loggedOut = true;
    this.end(boom('Intentional Logout', 401));
  }

  end(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.close(error ?? boom('Connection Closed', 428));
  }

  async updateMediaMessage(message: WAMessage): Promise<WAMessage> {
    return message;
  }

  async groupMetadata(jid: string) {
    return { id: jid, subject: 'Time de vendas', participants: [] };
  }
}

export class FakeBaileysSocketFactory extends BaileysSocketFactory {
  readonly sockets: FakeBaileysSocket[] = [];

  create(options: SocketOptions): BaileysSocket {
    const socket = new FakeBaileysSocket(options);
    this.sockets.push(socket);
    return socket as unknown as BaileysSocket;
  }

  get latest(): FakeBaileysSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket was made');
    return socket;
  }

  /** Waits until `count` sockets have been made; returns the last. */
  async socket(count: number, timeoutMs = 10_000): Promise<FakeBaileysSocket> {
    await waitFor(`socket #${count}`, () => this.sockets.length >= count, timeoutMs);
    return this.sockets[count - 1];
  }
}

/** The environment of a service on the Baileys engine, with short timeouts for tests. */
export const baileysEnv = (extra: Record<string, string> = {}) => ({
  WHATSAPP_ENGINE: 'baileys',
  ENCRYPTION_KEYS: TEST_KEY,
  WHATSAPP_CONNECT_TIMEOUT_MS: '3000',
  WHATSAPP_RECONNECT_BASE_MS: '20',
  ...extra,
});

/**
 * What happens when a phone scans the QR of `socket`: it pairs, WhatsApp asks for a restart, and
 * the session's new socket opens. Returns the open socket.
 */
export async function pairAndOpen(factory: FakeBaileysSocketFactory, socket: FakeBaileysSocket): Promise<FakeBaileysSocket> {
  const count = factory.sockets.length;
  await socket.pair();
  socket.close(closeUpdate('close-restart-required.json').lastDisconnect.error);
  const next = await factory.socket(count + 1);
  next.open();
  return next;
}
