import { Injectable } from '@nestjs/common';
import type { SendFrame } from '../../shared/protocol/channel.frames.js';
import type { MediaType } from '../../shared/protocol/event-data.types.js';
import { toJid } from '../../shared/protocol/jid.js';
import type { Integration } from '../integrations/integration.entity.js';
import { ChatsRepository } from '../relay/chats.repository.js';
import { MessageLinksRepository } from '../relay/message-links.repository.js';
import type { NewCommand } from './commands.repository.js';
import type { AgentReply } from './webhook-payload.js';

const MEDIA_TYPES: Record<string, MediaType> = { image: 'image', video: 'video', audio: 'audio' };

/** The `send` id of an agent's reply (SPEC 13.4): `cw-<id>` for its text, `cw-<id>-<n>` (from 1) per attachment. */
export const commandId = (messageId: number, attachment?: number) => (attachment ? `cw-${messageId}-${attachment}` : `cw-${messageId}`);

/** Turns an agent's reply into its `send` commands: recipient, reply_to from the message links, sender name. */
@Injectable()
export class ReplyPlanner {
  constructor(
    private readonly chats: ChatsRepository,
    private readonly links: MessageLinksRepository,
  ) {}

  async plan(integration: Integration, reply: AgentReply): Promise<NewCommand[]> {
    const to = await this.recipient(integration, reply);
    const replyTo = reply.inReplyTo ? (await this.links.findByChatwootId(integration.id, reply.inReplyTo))?.whatsappId : undefined;
    const common = { to: to ?? '', ...(replyTo && { reply_to: replyTo }), ...(reply.senderName && { sender_name: reply.senderName.slice(0, 255) }) };
    const frames: SendFrame[] = [];
    if (reply.content.trim()) frames.push({ type: 'send', id: commandId(reply.messageId), ...common, text: reply.content });
    reply.attachments.forEach((attachment, index) =>
      frames.push({
        type: 'send',
        id: commandId(reply.messageId, index + 1),
        ...common,
        media: { type: MEDIA_TYPES[attachment.fileType] ?? 'document', url: attachment.url, ...fileNameOf(attachment.url) },
      }),
    );
    const failure = to ? undefined : 'the conversation has no WhatsApp contact (no phone number or WhatsApp identifier)';
    return frames.map((frame) => ({ conversationId: reply.conversationId, chatwootMessageId: reply.messageId, frame, ...(failure && { failure }) }));
  }

  /** The chat the bridge opened the conversation for; else the contact's WhatsApp JID or number in Chatwoot. */
  private async recipient(integration: Integration, reply: AgentReply): Promise<string | undefined> {
    const chat = await this.chats.findByConversation(integration.id, reply.conversationId);
    if (chat) return chat.jid;
    const { identifier, phoneNumber } = reply.contact;
    return (identifier && toJid(identifier)) || (phoneNumber && toJid(phoneNumber)) || undefined;
  }
}

function fileNameOf(url: string): { file_name?: string } {
  try {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return name ? { file_name: name.slice(0, 255) } : {};
  } catch {
    return {};
  }
}
