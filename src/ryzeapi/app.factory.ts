import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { RateLimitMiddleware } from './common/rate-limit/rate-limit.middleware.js';
import { RateLimits } from './common/rate-limit/rate-limits.js';
import type { AppConfig } from './config/app-config.js';
import { jsonBodyParser } from './common/http/json-body.parser.js';
import { methodNotAllowed } from './common/http/method-not-allowed.middleware.js';
import { createOpenApiDocument } from './common/openapi/openapi.document.js';
import { HTTP_LOGGER } from '../shared/logging/logger.module.js';
import { PinoLogger } from '../shared/logging/pino.logger.js';
import { httpMetrics } from './metrics/http-metrics.middleware.js';
import { Metrics } from './metrics/metrics.service.js';
import { BRIDGE_PATH } from './chatwoot/channel/bridge.gateway.js';
import { BridgeHandshake } from './chatwoot/channel/bridge.handshake.js';
import { parseBridgeMessage } from './chatwoot/channel/bridge-message.parser.js';
import { ChannelWsAdapter } from './chatwoot/channel/channel-ws.adapter.js';

/** Builds the application exactly as it runs, for main.ts and for the tests. */
export async function createApp(config: AppConfig, options: AppModuleOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot(config, options), APP_OPTIONS);
  return configureApp(app, config);
}

export const APP_OPTIONS = {
  bufferLogs: true,
  bodyParser: false, // JSON only (below): no form-encoded bodies
  abortOnError: false,
};

/** Everything set up on the application after its modules are built (tests that replace a provider build the modules themselves). */
export function configureApp(app: NestExpressApplication, config: AppConfig): NestExpressApplication {
  app.useLogger(app.get(PinoLogger));
  app.set('trust proxy', 'loopback');
  app.use(app.get(HTTP_LOGGER)); // first: every answer gets its log line and its timing, a 429 of the limiter included
  app.use(httpMetrics(app.get(Metrics)));
  // Before the body parsers and routing: malformed, oversized and unroutable requests are counted
  // and carry the X-RateLimit headers too.
  const rateLimit = new RateLimitMiddleware(app.get(RateLimits));
  app.use((req: Request, res: Response, next: NextFunction) => void rateLimit.use(req, res, next));
  app.use(methodNotAllowed(app));
  app.use(jsonBodyParser('1mb'));
  SwaggerModule.setup('docs', app, createOpenApiDocument(app));
  // The bridge channel's WebSockets exist only with the Chatwoot module: without it, an upgrade is an ordinary unrouted request.
  if (config.bridge) {
    app.useWebSocketAdapter(
      new ChannelWsAdapter(app, {
        checks: { [BRIDGE_PATH]: app.get(BridgeHandshake) },
        server: { maxPayload: config.channel.maxFrameBytes, perMessageDeflate: false },
        messageParser: parseBridgeMessage,
      }),
    );
  }
  return app;
}
