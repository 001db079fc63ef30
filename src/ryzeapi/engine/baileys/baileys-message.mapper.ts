import {
  getContentType, isJidBroadcast, isJidGroup, isJidNewsletter, jidNormalizedUser, normalizeMessageContent, type MessageUserReceiptUpdate, type WAMessage,
  type WAMessageUpdate, type proto,
} from '@whiskeysockets/baileys';
import type { MediaPayload, MediaType, MessageExchangeData, MessageStatusData } from '../../../shared/protocol/event-data.types.js';

export interface MappingContext {
  /** Where GET /api/media lives: the event's `media.url`. */
  mediaUrl(messageId: string): string;
  /** This session's own JID (the sender of outgoing messages). */
  ownJid: string;
  /** A group's subject, '' when unknown. */
  groupName(jid: string): string;
}

type Long = { toNumber(): number };
type Timestamp = number | Long | null | undefined;

/** protobuf numbers arrive as number or Long. */
const toNumber = (value: number | Long): number => (typeof value === 'number' ? value : value.toNumber());

export const unixSeconds = (value: Timestamp): number => (value ? toNumber(value) : Math.floor(Date.now() / 1000));

const MEDIA: Record<string, MediaType> = {
  imageMessage: 'image',
  videoMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'document',
};

interface Content {
  text: string;
  media?: Omit<MediaPayload, 'url'>;
  contextInfo?: proto.IContextInfo | null;
}

/** What a message says, in the event's terms; undefined for what is not a chat message (protocol, reactions, ...). */
function contentOf(message: proto.IMessage | null | undefined): Content | undefined {
  const normalized = normalizeMessageContent(message);
  const type = getContentType(normalized);
  if (!normalized || !type) return undefined;
  if (type === 'conversation') return { text: normalized.conversation ?? '' };
  if (type === 'extendedTextMessage') {
    const m = normalized.extendedTextMessage!;
    return { text: m.text ?? '', contextInfo: m.contextInfo };
  }
  if (type in MEDIA) {
    const m = normalized[type] as proto.Message.IImageMessage & proto.Message.IDocumentMessage;
    const caption = m.caption ?? undefined;
    const fileName = m.fileName ?? (type === 'stickerMessage' ? 'sticker.webp' : undefined);
    return {
      text: caption ?? '',
      media: { type: MEDIA[type], mimetype: m.mimetype ?? undefined, ...(fileName && { file_name: fileName }), ...(caption && { caption }) },
      contextInfo: m.contextInfo,
    };
  }
  if (type === 'locationMessage' || type === 'liveLocationMessage') {
    const m = normalized[type] as proto.Message.ILocationMessage;
    const lines = [m.name, m.address, `https://maps.google.com/maps?q=${m.degreesLatitude},${m.degreesLongitude}`];
    return { text: `📍 ${lines.filter(Boolean).join('\n')}`, contextInfo: m.contextInfo };
  }
  if (type === 'contactMessage') return { text: contactText(normalized.contactMessage!), contextInfo: normalized.contactMessage!.contextInfo };
  if (type === 'contactsArrayMessage') {
    const m = normalized.contactsArrayMessage!;
    return { text: (m.contacts ?? []).map(contactText).join('\n\n'), contextInfo: m.contextInfo };
  }
  return undefined;
}

function contactText(contact: proto.Message.IContactMessage): string {
  const phones = [...(contact.vcard ?? '').matchAll(/^TEL[^:]*:(.+)$/gm)].map((m) => m[1].trim());
  return [`👤 ${contact.displayName ?? ''}`.trim(), ...phones].join('\n');
}

/** A Baileys message as a `message.exchange` message (SPEC 9); undefined when it is not one. */
export function mapMessage(msg: WAMessage, ctx: MappingContext): MessageExchangeData['message'] | undefined {
  const { key } = msg;
  if (!key.id || !key.remoteJid || isJidBroadcast(key.remoteJid) || isJidNewsletter(key.remoteJid)) return undefined;
  const content = contentOf(msg.message);
  if (!content) return undefined;
  const group = Boolean(isJidGroup(key.remoteJid));
  const chatJid = group ? key.remoteJid : jidNormalizedUser(key.remoteJid);
  const pushName = msg.pushName ?? '';
  const sender = key.fromMe
    ? { jid: ctx.ownJid, name: '' }
    : { jid: jidNormalizedUser((group ? key.participant : undefined) ?? key.remoteJid), name: pushName };
  const replyTo = content.contextInfo?.stanzaId;
  return {
    id: key.id,
    direction: key.fromMe ? 'outgoing' : 'incoming',
    timestamp: unixSeconds(msg.messageTimestamp),
    chat: { jid: chatJid, name: group ? ctx.groupName(chatJid) : key.fromMe ? '' : pushName, type: group ? 'group' : 'private' },
    sender,
    content: { text: content.text },
    ...(content.media && { media: { ...content.media, url: ctx.mediaUrl(key.id) } }),
    ...(replyTo && { reply_to: replyTo }),
  };
}

/** The media part of a stored message, for GET /api/media: undefined when it has none. */
export function mediaOf(msg: WAMessage): { mimetype: string; fileName?: string; fileLength?: number } | undefined {
  const normalized = normalizeMessageContent(msg.message);
  const type = getContentType(normalized);
  if (!normalized || !type || !(type in MEDIA)) return undefined;
  const m = normalized[type] as proto.Message.IDocumentMessage;
  const length = m.fileLength as Timestamp;
  return {
    mimetype: m.mimetype || (type === 'stickerMessage' ? 'image/webp' : 'application/octet-stream'),
    fileName: m.fileName ?? undefined,
    fileLength: length == null ? undefined : toNumber(length),
  };
}

/** proto.WebMessageInfo.Status: ERROR 0, PENDING 1, SERVER_ACK 2, DELIVERY_ACK 3, READ 4, PLAYED 5. */
const STATUS: Record<number, MessageStatusData['status']> = { 0: 'error', 2: 'sent', 3: 'delivered', 4: 'read', 5: 'played' };

/** A status change of one of our own messages (`messages.update`) as `message.status`. */
export function mapUpdate({ key, update }: WAMessageUpdate): MessageStatusData | undefined {
  const status = update.status == null ? undefined : STATUS[update.status];
  if (!key.fromMe || !key.id || !key.remoteJid || !status) return undefined;
  return { message_id: key.id, chat_jid: key.remoteJid, status, timestamp: unixSeconds(undefined) };
}

/** A per-recipient receipt of one of our own messages (`message-receipt.update`, groups) as `message.status`. */
export function mapReceipt({ key, receipt }: MessageUserReceiptUpdate): MessageStatusData | undefined {
  if (!key.fromMe || !key.id || !key.remoteJid) return undefined;
  const [status, at]: [MessageStatusData['status'], Timestamp] | [undefined, undefined] = receipt.playedTimestamp
    ? ['played', receipt.playedTimestamp]
    : receipt.readTimestamp
      ? ['read', receipt.readTimestamp]
      : receipt.receiptTimestamp
        ? ['delivered', receipt.receiptTimestamp]
        : [undefined, undefined];
  return status && { message_id: key.id, chat_jid: key.remoteJid, status, timestamp: unixSeconds(at) };
}
