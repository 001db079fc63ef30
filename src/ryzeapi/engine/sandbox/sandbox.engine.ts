import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { InstancesService } from '../../instances/instances.service.js';
import { EngineEvents } from '../engine-events.js';
import type { EngineEvent, InstanceRef, OutgoingMessage } from '../engine.types.js';
import type { MediaPayload } from '../../../shared/protocol/event-data.types.js';
import { isGroupJid } from '../../../shared/protocol/jid.js';
import { InstanceNotConnectedError, WhatsAppEngine, type ConnectResult } from '../whatsapp-engine.port.js';
import { SandboxMessagesRepository } from './sandbox-messages.repository.js';

export interface InboundMessage {
  from: string;
  name?: string;
  text?: string;
  group?: { jid: string; name?: string };
  media?: MediaPayload;
}

export interface SentMessage {
  message_id: string;
  to: string;
  text: string | null;
  media: MediaPayload | null;
  source: string;
  command_id: string | null;
  timestamp: number;
}

const newMessageId = () => `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
const unixNow = () => Math.floor(Date.now() / 1000);

/** What one send produces: the outgoing echo, then the statuses `sent` and `delivered`. */
function sendEvents(instance: InstanceRef, id: string, timestamp: number, message: OutgoingMessage): EngineEvent[] {
  const status = (s: 'sent' | 'delivered') => ({ message_id: id, chat_jid: message.to, status: s, timestamp });
  return [
    {
      instance,
      event: 'message.exchange',
      data: {
        message: {
          id,
          direction: 'outgoing',
          timestamp,
          chat: { jid: message.to, name: '', type: isGroupJid(message.to) ? 'group' : 'private' },
          sender: { jid: 'me', name: '' },
          content: { text: message.text ?? message.media?.caption ?? '' },
          ...(message.media && { media: message.media }),
          ...(message.replyTo && { reply_to: message.replyTo }),
        },
        source: message.source,
        ...(message.commandId && { command_id: message.commandId }),
      },
    },
    { instance, event: 'message.status', data: status('sent') },
    { instance, event: 'message.status', data: status('delivered') },
  ];
}

/** WhatsApp simulated inside the service: state and messages in the database, events as a real engine would raise them. */
@Injectable()
export class SandboxEngine extends WhatsAppEngine {
  constructor(
    private readonly messages: SandboxMessagesRepository,
    private readonly instances: InstancesService,
    private readonly events: EngineEvents,
  ) {
    super();
  }

  async connect(instance: InstanceRef): Promise<ConnectResult> {
    await this.instances.setStatus(instance.id, 'connected');
    await this.events.publish({ instance, event: 'instance.state', data: { state: 'connected' } });
    return { status: 'connected' };
  }

  async logout(instance: InstanceRef): Promise<void> {
    await this.instances.setStatus(instance.id, 'disconnected');
    await this.events.publish({ instance, event: 'instance.state', data: { state: 'loggedout' } });
  }

  async send(instance: InstanceRef, message: OutgoingMessage): Promise<{ messageId: string }> {
    await this.assertConnected(instance);
    const id = newMessageId();
    await this.messages.record(instance.id, {
      id, direction: 'outgoing', chatJid: message.to, text: message.text, media: message.media,
      source: message.source, commandId: message.commandId, replyTo: message.replyTo,
    });
    // The message is out: a subscriber failing now must not make the send look failed (a retry would send it twice).
    await this.events.publish(...sendEvents(instance, id, unixNow(), message)).catch(() => undefined);
    return { messageId: id };
  }

  /** The events of the send made for commandId, derived again from its record; null when nothing was sent for it. */
  async replaySend(instance: InstanceRef, commandId: string): Promise<EngineEvent[] | null> {
    const sent = await this.messages.sendFor(instance.id, commandId);
    if (!sent) return null;
    return sendEvents(instance, sent.id, sent.timestamp, {
      to: sent.to, text: sent.text ?? undefined, media: sent.media ?? undefined, replyTo: sent.replyTo ?? undefined,
      source: sent.source, commandId,
    });
  }

  /** A message arriving from WhatsApp; resolves once every subscriber has taken its event. */
  async receive(instance: InstanceRef, inbound: InboundMessage & { fromJid: string }): Promise<{ messageId: string }> {
    await this.assertConnected(instance);
    const id = newMessageId();
    const chat = inbound.group
      ? { jid: inbound.group.jid, name: inbound.group.name ?? '', type: 'group' as const }
      : { jid: inbound.fromJid, name: inbound.name ?? '', type: 'private' as const };
    await this.messages.record(instance.id, {
      id, direction: 'incoming', chatJid: chat.jid, text: inbound.text, media: inbound.media, source: 'whatsapp',
    });
    await this.events.publish({
      instance,
      event: 'message.exchange',
      data: {
        message: {
          id,
          direction: 'incoming',
          timestamp: unixNow(),
          chat,
          sender: { jid: inbound.fromJid, name: inbound.name ?? '' },
          content: { text: inbound.text ?? inbound.media?.caption ?? '' },
          ...(inbound.media && { media: inbound.media }),
        },
        source: 'whatsapp',
      },
    });
    return { messageId: id };
  }

  async sent(instance: InstanceRef): Promise<SentMessage[]> {
    const sends = await this.messages.sends(instance.id);
    return sends.map(({ id, to, text, media, source, commandId, timestamp }) => ({
      message_id: id, to, text, media, source, command_id: commandId, timestamp,
    }));
  }

  private async assertConnected(instance: InstanceRef): Promise<void> {
    if ((await this.instances.getStatus(instance.id)) !== 'connected') throw new InstanceNotConnectedError();
  }

}
