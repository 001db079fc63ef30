import type { EngineEvent, InstanceRef, OutgoingMessage } from './engine.types.js';

/** What `GET /api/instance/connect/:instance` answers (SPEC 15): connected, or what the user needs to pair. */
export type ConnectResult =
  | { status: 'connected' }
  | { status: 'qr'; qrCode: string; qrCodeBase64: string }
  | { status: 'pairing'; pairingCode: string };

export interface ConnectOptions {
  /** Pair with a code typed on this phone (digits with country code) instead of a QR. */
  number?: string;
}

/**
 * The port every WhatsApp engine implements. The sandbox engine is the default; a real engine
 * provides the same class token. Events are published through EngineEvents, never returned here.
 */
export abstract class WhatsAppEngine {
  /** Throws WhatsAppUnreachableError when WhatsApp cannot be reached in time. */
  abstract connect(instance: InstanceRef, options?: ConnectOptions): Promise<ConnectResult>;
  abstract logout(instance: InstanceRef): Promise<void>;
  /** The instance is being deleted: end what the engine keeps running for it (no events). */
  async release(_instance: InstanceRef): Promise<void> {}
  /** Throws a SendRefusedError (not connected, not on WhatsApp) when nothing was sent. */
  abstract send(instance: InstanceRef, message: OutgoingMessage): Promise<{ messageId: string }>;
  /**
   * The events published by the send made for a bridge command (`commandId`), derived again from
   * what the engine recorded; null when nothing went out for it. Used at start for sends that a
   * crash cut off between the message going out and its events being stored.
   */
  abstract replaySend(instance: InstanceRef, commandId: string): Promise<EngineEvent[] | null>;
}

/** The engine refused a send before anything reached WhatsApp; the message is fit for the caller. */
export abstract class SendRefusedError extends Error {}

export class InstanceNotConnectedError extends SendRefusedError {
  constructor() {
    super('Instance is not connected to WhatsApp');
  }
}

export class NotOnWhatsAppError extends SendRefusedError {
  constructor() {
    super('number is not on WhatsApp');
  }
}

export class WhatsAppUnreachableError extends Error {
  constructor(detail: string) {
    super(`could not reach WhatsApp. Detail: ${detail}`);
  }
}
