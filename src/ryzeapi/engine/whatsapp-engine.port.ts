import type { InstanceRef, OutgoingMessage } from './engine.types.js';

/**
 * The port every WhatsApp engine implements. The sandbox engine is the default; a real engine
 * provides the same class token. Events are published through EngineEvents, never returned here.
 */
export abstract class WhatsAppEngine {
  abstract connect(instance: InstanceRef): Promise<'connected'>;
  abstract logout(instance: InstanceRef): Promise<void>;
  /** Throws InstanceNotConnectedError when the instance is not connected. */
  abstract send(instance: InstanceRef, message: OutgoingMessage): Promise<{ messageId: string }>;
}

export class InstanceNotConnectedError extends Error {
  constructor() {
    super('Instance is not connected to WhatsApp');
  }
}
