import type { SendCommand } from '../../shared/protocol/channel.frames.js';
import type { EventDataMap, EventName, MessageSource } from '../../shared/protocol/event-data.types.js';

/** Events as the engine raises them; their names and data are the bridge channel's own (shared/protocol). */
export type EngineEvent<E extends EventName = EventName> = {
  [K in E]: { instance: InstanceRef; event: K; data: EventDataMap[K] };
}[E];

export interface InstanceRef {
  id: string;
  name: string;
}

/** A message to send, from the REST API or from a bridge `send` command (its fields as the channel parsed them). */
export type OutgoingMessage = Pick<SendCommand, 'to' | 'text' | 'media' | 'replyTo'> & {
  source: Exclude<MessageSource, 'whatsapp'>;
  commandId?: string;
};
