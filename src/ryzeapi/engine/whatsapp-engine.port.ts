import type { EngineEvent, InstanceRef, OutgoingMessage } from './engine.types.js';

/**
 * The port every WhatsApp engine implements. The sandbox engine is the default; a real engine
 * provides the same class token. Events are published through EngineEvents, never returned here.
 */
export abstract class WhatsAppEngine {
  abstract connect(instance: InstanceRef): Promise<'connected'>;
  abstract logout(instance: InstanceRef): Promise<void>;
  /** Throws InstanceNotConnectedError when the instance is not connected. */
  abstract send(instance: InstanceRef, message: OutgoingMessage): Promise<{ messageId: string }>;
  /**
   * The events published by the send made for a bridge command (`commandId`), derived again from
   * what the engine recorded; null when nothing went out for it. Used at start for sends that a
   * crash cut off between the message going out and its events being stored.
   */
  abstract replaySend(instance: InstanceRef, commandId: string): Promise<EngineEvent[] | null>;
}

export class InstanceNotConnectedError extends Error {
  constructor() {
    super('Instance is not connected to WhatsApp');
  }
}
