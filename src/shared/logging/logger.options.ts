import type { LoggerParams } from './logger.module.js';
import type { DestinationStream } from 'pino';
import type { IncomingMessage } from 'node:http';
import { redactUrl } from './redact-url.js';

/** Header, query and body keys whose values are secrets: never written to a log line. */
const SECRET_PATHS = [
  'token',
  'authorization',
  'apiToken',
  'api_token',
  'chatwootApiToken',
  '*.token',
  '*.authorization',
  '*.Authorization',
  '*.api_token',
  '*.apiToken',
  '*.chatwootApiToken',
  '*.chatwoot_api_token',
  '*.headers.token',
  '*.headers.authorization',
  '*.headers.Authorization',
];

export function loggerOptions(level: string, stream?: DestinationStream): LoggerParams {
  return {
    pinoHttp: [
      {
        level,
        redact: { paths: SECRET_PATHS, censor: '[Redacted]' },
        serializers: {
          req: (req: IncomingMessage & { id?: unknown }) => ({
            id: req.id,
            method: req.method,
            url: redactUrl(req.url)?.replace(WEBHOOK_SECRET_SEGMENT, '$1[Redacted]'),
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          // Every logged error, wherever it comes from: never its other fields, since a query error
          // carries its parameters and an HTTP client error its request headers.
          err: (err: Error & { code?: unknown }) => ({ type: err?.name, message: err?.message, code: err?.code, stack: err?.stack }),
        },
        customProps: () => ({ context: 'HTTP' }),
        // Error responses are expected outcomes here, already explained in their bodies: no stack.
        customLogLevel: (_req: IncomingMessage, res: { statusCode: number }, err?: Error) =>
          err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        customErrorObject: (_req: IncomingMessage, res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/health/live' || req.url === '/health/ready' },
      },
      stream,
    ].filter(Boolean) as LoggerParams['pinoHttp'],
  };
}

/** The bridge's inbox webhook URL carries its secret as the last path segment. */
const WEBHOOK_SECRET_SEGMENT = /(\/v1\/chatwoot\/webhook\/[^/?#]*\/)[^/?#]*/i;
