import { Injectable, Logger } from '@nestjs/common';
import { isJidGroup, type BaileysEventMap } from '@whiskeysockets/baileys';
import { AppConfig } from '../../config/app-config.js';
import { EngineEvents } from '../engine-events.js';
import type { MessageStatusData } from '../../../shared/protocol/event-data.types.js';
import { mapMessage, mapReceipt, mapUpdate, type MappingContext } from './baileys-message.mapper.js';
import type { BaileysSession } from './baileys-session.js';
import { serializeMessage } from './stored-message.js';
import { WhatsAppMessagesRepository } from './whatsapp-messages.repository.js';

/**
 * Turns what a session receives into engine events: each message once (recorded by its WhatsApp
 * id before its event is published), each receipt once per status reached.
 */
@Injectable()
export class BaileysInbound {
  private readonly logger = new Logger(BaileysInbound.name);
  /** Group subjects by instance and group JID: one lookup per group and process. */
  private readonly groupNames = new Map<string, string>();

  constructor(
    private readonly config: AppConfig,
    private readonly messages: WhatsAppMessagesRepository,
    private readonly events: EngineEvents,
  ) {}

  async upsert(session: BaileysSession, { messages }: BaileysEventMap['messages.upsert']): Promise<void> {
    const { instance } = session;
    for (const msg of messages) {
      const chatJid = msg.key.remoteJid;
      if (chatJid && isJidGroup(chatJid)) await this.loadGroupName(session, chatJid);
      const message = mapMessage(msg, this.context(session));
      if (!message) continue;
      if (!(await this.messages.record(instance.id, message.id, serializeMessage(msg)))) continue;
      try {
        await this.events.publish({ instance, event: 'message.exchange', data: { message, source: 'whatsapp' } });
      } catch {
        // Not stored (EngineEvents logged why): forgotten, so that a redelivery raises it.
        await this.messages.forget(instance.id, message.id).catch(() => undefined);
      }
    }
  }

  async updates(session: BaileysSession, updates: BaileysEventMap['messages.update']): Promise<void> {
    await this.statuses(session, updates.map(mapUpdate));
  }

  async receipts(session: BaileysSession, receipts: BaileysEventMap['message-receipt.update']): Promise<void> {
    await this.statuses(session, receipts.map(mapReceipt));
  }

  context(session: BaileysSession): MappingContext {
    const { name, id } = session.instance;
    return {
      mediaUrl: (messageId) => `${this.config.baseUrl}/api/media/${encodeURIComponent(name)}/${encodeURIComponent(messageId)}`,
      ownJid: session.ownJid,
      groupName: (jid) => this.groupNames.get(`${id}|${jid}`) ?? '',
    };
  }

  forgetInstance(instanceId: string): void {
    for (const key of this.groupNames.keys()) if (key.startsWith(`${instanceId}|`)) this.groupNames.delete(key);
  }

  private async statuses(session: BaileysSession, statuses: (MessageStatusData | undefined)[]): Promise<void> {
    const { instance } = session;
    for (const data of statuses) {
      if (!data || !(await this.messages.advanceStatus(instance.id, data.message_id, data.status))) continue;
      await this.events.publish({ instance, event: 'message.status', data }).catch(() => undefined);
    }
  }

  private async loadGroupName(session: BaileysSession, jid: string): Promise<void> {
    const key = `${session.instance.id}|${jid}`;
    if (this.groupNames.has(key)) return;
    const socket = session.liveSocket;
    if (!socket) return;
    try {
      this.groupNames.set(key, (await socket.groupMetadata(jid)).subject ?? '');
    } catch (error) {
      this.logger.warn({ instance: session.instance.name, err: error }, 'group subject unavailable');
      this.groupNames.set(key, '');
    }
  }
}
