import { Injectable } from '@nestjs/common';
import {
  Browsers, DEFAULT_CONNECTION_CONFIG, makeWASocket, type AuthenticationState, type WAMessageKey, type WASocket, type proto,
} from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import { AppConfig } from '../../config/app-config.js';

/** The part of Baileys' socket the engine uses: `ev` with Baileys' event names, and these methods. */
export type BaileysSocket = Pick<
  WASocket,
  'ev' | 'user' | 'sendMessage' | 'onWhatsApp' | 'requestPairingCode' | 'logout' | 'end' | 'updateMediaMessage' | 'groupMetadata'
>;

export interface SocketOptions {
  auth: AuthenticationState;
  logger: ILogger;
  /** A message this session sent, for Baileys to re-encrypt when a recipient asks for a retry. */
  getMessage: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
}

/** Makes Baileys sockets; tests provide their own, driving a fake socket. */
export abstract class BaileysSocketFactory {
  abstract create(options: SocketOptions): BaileysSocket;
}

@Injectable()
export class LibraryBaileysSocketFactory extends BaileysSocketFactory {
  constructor(private readonly config: AppConfig) {
    super();
  }

  create({ auth, logger, getMessage }: SocketOptions): BaileysSocket {
    const { webSocketUrl, connectTimeoutMs } = this.config.whatsapp;
    return makeWASocket({
      auth,
      logger,
      getMessage,
      waWebSocketUrl: webSocketUrl ?? DEFAULT_CONNECTION_CONFIG.waWebSocketUrl,
      connectTimeoutMs: Math.min(connectTimeoutMs, DEFAULT_CONNECTION_CONFIG.connectTimeoutMs),
      browser: Browsers.ubuntu('RyzeAPI'),
      printQRInTerminal: false,
      markOnlineOnConnect: false,
      syncFullHistory: false,
      // The engine raises the events of its own sends itself (with their source and command id).
      emitOwnEvents: false,
    });
  }
}
