import { BadGatewayException, BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { InstanceNotConnectedError, NotOnWhatsAppError, WhatsAppUnreachableError } from './whatsapp-engine.port.js';

/** Runs an engine call, turning the engine's refusals into HTTP errors with the engine's message. */
export async function engineCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof InstanceNotConnectedError) throw new ServiceUnavailableException(error.message);
    if (error instanceof NotOnWhatsAppError) throw new BadRequestException(error.message);
    if (error instanceof WhatsAppUnreachableError) throw new BadGatewayException(error.message);
    throw error;
  }
}
