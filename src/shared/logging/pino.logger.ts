import type { LoggerService } from '@nestjs/common';
import type { Level, Logger as Pino } from 'pino';

/**
 * Nest's LoggerService over pino, one JSON line per call. Nest calls it as `(message, ...params,
 * context)`: a Logger with a context appends it as the last argument; an object message is merged
 * into the line (an Error goes under `err`), the next string is the message.
 */
export class PinoLogger implements LoggerService {
  constructor(readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const context = params.length > 0 ? params.at(-1) : undefined;
    const rest = params.slice(0, -1).filter((param) => param !== undefined);
    let fields: Record<string, unknown> = {};
    let text = message;
    if (message instanceof Error) {
      fields.err = message;
      text = rest.shift() ?? message.message;
    } else if (message !== null && typeof message === 'object') {
      fields = { ...message };
      text = rest.shift();
    } else if (level === 'error' && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0])) {
      // Nest's own (message, stack, context) error contract.
      fields.err = Object.assign(new Error(String(message)), { stack: rest.shift() });
    }
    // One `context` key per line: the logger's context replaces one the object may carry.
    if (context !== undefined) fields.context = context;
    this.pino[level](fields, text === undefined ? undefined : String(text));
  }
}
