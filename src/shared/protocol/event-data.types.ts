/** The data of each WhatsApp event on the bridge channel (SPEC section 9, "Event data"). */
export type MessageSource = 'whatsapp' | 'api' | 'chatwoot';
export type MediaType = 'image' | 'video' | 'audio' | 'document';
export const MEDIA_TYPES: MediaType[] = ['image', 'video', 'audio', 'document'];

export interface MediaPayload {
  type: MediaType;
  url: string;
  mimetype?: string;
  file_name?: string;
  caption?: string;
}

export interface ChatRef {
  jid: string;
  name: string;
  type: 'private' | 'group';
}

export interface MessageExchangeData {
  message: {
    id: string;
    direction: 'incoming' | 'outgoing';
    timestamp: number;
    chat: ChatRef;
    sender: { jid: string; name: string };
    content: { text: string };
    media?: MediaPayload;
    reply_to?: string;
  };
  source: MessageSource;
  command_id?: string;
}

export interface MessageStatusData {
  message_id: string;
  chat_jid: string;
  status: 'sent' | 'delivered' | 'read' | 'played' | 'error';
  timestamp: number;
}

export interface InstanceStateData {
  state: 'connected' | 'disconnected' | 'loggedout';
}

/** Each event name with its data. */
export interface EventDataMap {
  'message.exchange': MessageExchangeData;
  'message.status': MessageStatusData;
  'instance.state': InstanceStateData;
}
export type EventName = keyof EventDataMap;
