import type { InstanceStateData, MediaPayload, MessageExchangeData, MessageSource, MessageStatusData } from '../../shared/protocol/event-data.types.js';

/** Events as the engine raises them; their data are the bridge channel's own shapes (shared/protocol). */
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
