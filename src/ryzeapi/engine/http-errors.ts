import { ServiceUnavailableException } from '@nestjs/common';
import { InstanceNotConnectedError } from './whatsapp-engine.port.js';

/** Runs an engine call, turning "not connected" into 503 with the engine's message. */
export async function engineCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof InstanceNotConnectedError) throw new ServiceUnavailableException(error.message);
    throw error;
  }
}
