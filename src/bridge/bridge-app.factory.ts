import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, type NextFunction, type Request, type Response } from 'express';
import type { BridgeErrorBody } from '../shared/protocol/integrations.api.js';
import { PinoLogger } from '../shared/logging/pino.logger.js';
import { BridgeAppModule, type BridgeAppModuleOptions } from './bridge-app.module.js';
import type { BridgeAppConfig } from './config/bridge-config.js';

/** Builds the bridge exactly as it runs, for main.ts and for the tests. */
export async function createBridgeApp(config: BridgeAppConfig, options: BridgeAppModuleOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(BridgeAppModule.forRoot(config, options), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(PinoLogger));
  app.set('trust proxy', 'loopback');
  // Chatwoot's webhook signature covers the raw body: keep it (bounded by the same 1 MiB limit, 413 above).
  const parse = json({ limit: '1mb', verify: (req, _res, raw) => void ((req as typeof req & { rawBody?: Buffer }).rawBody = raw) });
  app.use((req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) =>
      (error as { type?: string } | undefined)?.type === 'entity.parse.failed'
        ? res.status(400).json({ error: { message: 'invalid body: not valid JSON' } } satisfies BridgeErrorBody)
        : next(error),
    ),
  );
  return app;
}
