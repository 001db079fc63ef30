import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { RateLimitMiddleware } from './common/rate-limit/rate-limit.middleware.js';
import type { AppConfig } from './config/app-config.js';
import { jsonBodyParser } from './common/http/json-body.parser.js';
import { HTTP_LOGGER } from '../shared/logging/logger.module.js';
import { PinoLogger } from '../shared/logging/pino.logger.js';
import { httpMetrics } from './metrics/http-metrics.middleware.js';
import { Metrics } from './metrics/metrics.service.js';

/** Builds the application exactly as it runs, for main.ts and for the tests. */
export async function createApp(config: AppConfig, options: AppModuleOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bufferLogs: true,
    bodyParser: false, // JSON only (below): no form-encoded bodies
    abortOnError: false,
  });
  app.useLogger(app.get(PinoLogger));
  app.set('trust proxy', 'loopback');
  app.use(app.get(HTTP_LOGGER)); // first: every answer gets its log line and its timing, a 429 of the limiter included
  app.use(httpMetrics(app.get(Metrics)));
  // Before the body parsers and routing: malformed, oversized and unroutable requests are counted
  // and carry the X-RateLimit headers too.
  const rateLimit = new RateLimitMiddleware(config);
  app.use(rateLimit.use.bind(rateLimit));
  app.use(jsonBodyParser('1mb'));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('RyzeAPI — Chatwoot module')
      .setDescription('Accounts, instances, the sandbox WhatsApp engine and the Chatwoot integration (bridge edition).')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'token' }, 'token')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
