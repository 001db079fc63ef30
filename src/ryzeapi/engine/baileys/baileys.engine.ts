import { BeforeApplicationShutdown, Injectable, InternalServerErrorException, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AnyMessageContent, WAMessageKey } from '@whiskeysockets/baileys';
import QRCode from 'qrcode';
import { TokenDecryptionError } from '../../../shared/crypto/token-cipher.js';
import { KeyedMutex } from '../../../shared/concurrency/keyed-mutex.js';
import { AppConfig } from '../../config/app-config.js';
import { InstancesService } from '../../instances/instances.service.js';
import { EngineEvents } from '../engine-events.js';
import type { EngineEvent, InstanceRef, OutgoingMessage } from '../engine.types.js';
import type { MediaPayload } from '../../../shared/protocol/event-data.types.js';
import { isGroupJid } from '../../../shared/protocol/jid.js';
import {
  InstanceNotConnectedError, NotOnWhatsAppError, WhatsAppEngine, WhatsAppUnreachableError, type ConnectOptions, type ConnectResult,
} from '../whatsapp-engine.port.js';
import { AuthStateRepository } from './auth-state.repository.js';
import { BaileysInbound } from './baileys-inbound.js';
import { baileysLogger } from './baileys-logger.js';
import { unixSeconds } from './baileys-message.mapper.js';
import { BaileysSession, type SessionListener } from './baileys-session.js';
import { BaileysSocketFactory, type BaileysSocket } from './baileys-socket.factory.js';
import { databaseAuthState, isPairedCreds } from './database-auth-state.js';
import { parseMessage, serializeMessage } from './stored-message.js';
import { WhatsAppMessagesRepository } from './whatsapp-messages.repository.js';

function content(media: MediaPayload | undefined, text: string | undefined): AnyMessageContent {
  if (!media) return { text: text ?? '' };
  const { url, mimetype, caption, file_name: fileName } = media;
  // Baileys reads anything that is not http(s) as a local file path: never hand it one.
  if (!/^https?:\/\//i.test(url)) throw new Error('media URL must be http(s)');
  switch (media.type) {
    case 'image':
      return { image: { url }, caption, ...(mimetype && { mimetype }) };
    case 'video':
      return { video: { url }, caption, ...(mimetype && { mimetype }) };
    case 'audio':
      return { audio: { url }, mimetype: mimetype ?? 'audio/ogg; codecs=opus' };
    case 'document':
      return { document: { url }, mimetype: mimetype ?? 'application/octet-stream', fileName, caption };
  }
}

/**
 * The WhatsApp engine on Baileys (WhatsApp Web's multi-device protocol). One session per instance
 * in this process, kept in `sessions`; sessions are stored in the database and resumed at start.
 * One owner per session is guaranteed within the process only: several nodes on one database
 * need a cluster-wide lock per session (not part of this engine yet).
 */
@Injectable()
export class BaileysEngine extends WhatsAppEngine implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BaileysEngine.name);
  private readonly sessions = new Map<string, BaileysSession>();
  private readonly mutex = new KeyedMutex();
  private readonly listener: SessionListener;

  constructor(
    private readonly config: AppConfig,
    private readonly factory: BaileysSocketFactory,
    private readonly authState: AuthStateRepository,
    private readonly messages: WhatsAppMessagesRepository,
    private readonly inbound: BaileysInbound,
    private readonly instances: InstancesService,
    private readonly events: EngineEvents,
  ) {
    super();
    this.listener = {
      opened: (s) => this.changeState(s.instance, 'connected'),
      disconnected: (s) => this.changeState(s.instance, 'disconnected'),
      loggedOut: async (s) => {
        this.drop(s);
        await this.authState.delete(s.instance.id);
        await this.changeState(s.instance, 'loggedout');
      },
      ended: (s) => this.drop(s),
      messages: (s, upsert) => this.inbound.upsert(s, upsert),
      updates: (s, updates) => this.inbound.updates(s, updates),
      receipts: (s, receipts) => this.inbound.receipts(s, receipts),
    };
  }

  /** Resumes every paired session stored in the database (without waiting for WhatsApp). */
  async onApplicationBootstrap(): Promise<void> {
    for (const { instanceId, name, creds } of await this.authState.allCredentials()) {
      try {
        if (!isPairedCreds(creds())) continue;
        await this.instances.setStatus(instanceId, 'disconnected');
        await this.session({ id: instanceId, name });
      } catch (error) {
        this.logger.error({ err: error, instance: name }, 'could not resume the WhatsApp session');
      }
    }
  }

  /**
   * Closes the sockets without logging out, before the shutdown hooks of the others: events taken
   * so far still reach the outbox, and pending writes finish before the database closes.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.stop()));
  }

  async connect(instance: InstanceRef, options: ConnectOptions = {}): Promise<ConnectResult> {
    const deadline = Date.now() + this.config.whatsapp.connectTimeoutMs;
    for (;;) {
      const session = await this.session(instance).catch((error) => {
        if (!(error instanceof TokenDecryptionError)) throw error;
        throw new InternalServerErrorException(
          `the stored WhatsApp session cannot be decrypted (${error.message}): put its key back in ENCRYPTION_KEYS, or log the instance out to pair it again`,
        );
      });
      session.reconnectNow();
      const outcome = await session.waitFor(Math.max(0, deadline - Date.now()));
      switch (outcome.kind) {
        case 'open':
          return { status: 'connected' };
        case 'qr':
          if (options.number) return { status: 'pairing', pairingCode: await this.pairingCode(session, options.number) };
          return { status: 'qr', qrCode: outcome.qr, qrCodeBase64: await QRCode.toDataURL(outcome.qr) };
        case 'loggedout':
          // The stored session was logged out at WhatsApp: once it is deleted, a new one pairs anew.
          await session.idle();
          continue;
        case 'failed':
          throw new WhatsAppUnreachableError(outcome.detail);
      }
    }
  }

  async logout(instance: InstanceRef): Promise<void> {
    await this.release(instance);
    await this.authState.delete(instance.id);
    await this.changeState(instance, 'loggedout');
  }

  /** Logs the device out at WhatsApp (when connected) and ends the session in this process. */
  override async release(instance: InstanceRef): Promise<void> {
    await this.mutex.run(instance.id, async () => {
      const session = this.sessions.get(instance.id);
      this.sessions.delete(instance.id);
      await session?.logout();
    });
    this.inbound.forgetInstance(instance.id);
  }

  async send(instance: InstanceRef, message: OutgoingMessage): Promise<{ messageId: string }> {
    const session = this.sessions.get(instance.id);
    const socket = session?.liveSocket;
    if (!session || !socket) throw new InstanceNotConnectedError();
    const to = await this.recipient(socket, message.to);
    const quoted = message.replyTo ? await this.storedMessage(instance, message.replyTo) : undefined;
    const sent = await socket.sendMessage(to, content(message.media, message.text), {
      ...(quoted && { quoted }),
      // Baileys downloads a media URL before uploading it to WhatsApp: bounded like downloads.
      ...(message.media && { options: { maxContentLength: this.config.whatsapp.mediaMaxBytes, timeout: this.config.whatsapp.connectTimeoutMs } }),
    });
    if (!sent?.key.id) throw new Error('WhatsApp did not return a message id');
    const id = sent.key.id;
    const timestamp = unixSeconds(sent.messageTimestamp);
    // The message is out: recording or publishing failing now must not make the send look failed.
    await this.messages.record(instance.id, id, serializeMessage(sent), 'sent').catch((error) =>
      this.logger.error({ err: error, instance: instance.name }, 'recording a sent message failed'),
    );
    const chat = { jid: to, name: '', type: isGroupJid(to) ? ('group' as const) : ('private' as const) };
    // The echo and its status are one publication, stored in one write.
    await this.publish(
      {
        instance,
        event: 'message.exchange',
        data: {
          message: {
            id, direction: 'outgoing', timestamp, chat,
            sender: { jid: session.ownJid, name: '' },
            content: { text: message.text ?? message.media?.caption ?? '' },
            ...(message.media && { media: message.media }),
            ...(message.replyTo && { reply_to: message.replyTo }),
          },
          source: message.source,
          ...(message.commandId && { command_id: message.commandId }),
        },
      },
      { instance, event: 'message.status', data: { message_id: id, chat_jid: to, status: 'sent', timestamp } },
    );
    return { messageId: id };
  }

  /**
   * Not derivable here: the stored Baileys message does not keep the command it answered. Null keeps
   * the command's claim, so a send cut off by a crash is never repeated (its retry gets
   * "interrupted"), at the cost of its echo events.
   */
  async replaySend(): Promise<EngineEvent[] | null> {
    return null;
  }

  /** The live socket of a connected instance (media downloads ask it for re-uploads). */
  socketOf(instanceId: string): BaileysSocket | undefined {
    return this.sessions.get(instanceId)?.liveSocket;
  }

  /** A message this instance received or sent, as Baileys gave it. */
  async storedMessage(instance: { id: string }, messageId: string) {
    const json = await this.messages.payload(instance.id, messageId);
    return json === undefined ? undefined : parseMessage(json);
  }

  /** The instance's session, started if there is none (one per instance in this process). */
  private session(instance: InstanceRef): Promise<BaileysSession> {
    return this.mutex.run(instance.id, async () => {
      const existing = this.sessions.get(instance.id);
      if (existing) return existing;
      const session = new BaileysSession(instance, await databaseAuthState(this.authState, instance.id), {
        factory: this.factory,
        config: this.config.whatsapp,
        logger: baileysLogger(new Logger(`Baileys:${instance.name}`)),
        listener: this.listener,
        getMessage: async (key: WAMessageKey) => (key.id ? (await this.storedMessage(instance, key.id))?.message ?? undefined : undefined),
      });
      this.sessions.set(instance.id, session);
      session.start();
      return session;
    });
  }

  private drop(session: BaileysSession): void {
    if (this.sessions.get(session.instance.id) === session) this.sessions.delete(session.instance.id);
  }

  private async pairingCode(session: BaileysSession, number: string): Promise<string> {
    try {
      return await session.requestPairingCode(number);
    } catch (error) {
      throw new WhatsAppUnreachableError(error instanceof Error ? error.message : 'pairing code request failed');
    }
  }

  /** The JID WhatsApp knows the number by (groups are taken as they are). */
  private async recipient(socket: BaileysSocket, jid: string): Promise<string> {
    if (isGroupJid(jid)) return jid;
    const [found] = (await socket.onWhatsApp(jid)) ?? [];
    if (!found?.exists) throw new NotOnWhatsAppError();
    return found.jid;
  }

  private async changeState(instance: InstanceRef, state: 'connected' | 'disconnected' | 'loggedout'): Promise<void> {
    await this.instances.setStatus(instance.id, state === 'connected' ? 'connected' : 'disconnected');
    await this.publish({ instance, event: 'instance.state', data: { state } });
  }

  /** EngineEvents logs a subscriber's failure; the engine carries on. */
  private publish(...events: EngineEvent[]): Promise<void> {
    return this.events.publish(...events).catch(() => undefined);
  }
}
