import { DynamicModule, Global, Module } from '@nestjs/common';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import type { DestinationStream } from 'pino';
import { PinoLogger } from './pino.logger.js';

/** What loggerOptions() returns: pino-http's options (pino's included) and where lines go. */
export interface LoggerParams {
  pinoHttp: [Options] | [Options, DestinationStream];
}

/** The request logger middleware (pino-http), installed by the application factory before anything else. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/**
 * JSON logs for a Nest application: one pino logger for the application (PinoLogger, Nest's
 * LoggerService) and for the HTTP request lines (pino-http, same options and stream).
 */
@Global()
@Module({})
export class LoggerModule {
  static forRoot({ pinoHttp: [options, stream] }: LoggerParams): DynamicModule {
    const http: HttpLogger = pinoHttp(options, stream);
    return {
      module: LoggerModule,
      providers: [
        { provide: PinoLogger, useValue: new PinoLogger(http.logger) },
        { provide: HTTP_LOGGER, useValue: http },
      ],
      exports: [PinoLogger, HTTP_LOGGER],
    };
  }
}
