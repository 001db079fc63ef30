/** The engine-neutral shapes of WhatsApp events (SPEC section 9, "Event data"). */
export type MessageSource = 'whatsapp' | 'api' | 'chatwoot';
export type MediaType = 'image' | 'video' | 'audio' | 'document';

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

export type EngineEvent =
  | { instance: InstanceRef; event: 'message.exchange'; data: MessageExchangeData }
  | { instance: InstanceRef; event: 'message.status'; data: MessageStatusData }
  | { instance: InstanceRef; event: 'instance.state'; data: InstanceStateData };

export interface InstanceRef {
  id: string;
  name: string;
}

/** A message to send, from the REST API or from a bridge `send` command. */
export interface OutgoingMessage {
  to: string;
  text?: string;
  media?: MediaPayload;
  replyTo?: string;
  source: Exclude<MessageSource, 'whatsapp'>;
  commandId?: string;
}
