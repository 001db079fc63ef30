import type { Logger } from '@nestjs/common';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';

/**
 * Baileys logs through this: warnings and errors go to the service's logger (its redaction and
 * destination), the rest (protocol traces, frames) is dropped.
 */
export function baileysLogger(logger: Logger): ILogger {
  const ignore = () => undefined;
  const adapter: ILogger = {
    level: 'warn',
    child: () => adapter,
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
  };
  return adapter;
}
