import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { loadConfig } from './config/app-config.js';
import { ConfigError } from '../shared/config/config.error.js';
import { prepareDataDir } from './database/data-source.options.js';
import { AppLifecycle } from './lifecycle/app-lifecycle.js';

async function main(): Promise<void> {
  let config;
  let releaseDataDir: (() => void) | undefined;
  try {
    config = loadConfig();
    if (!config.databaseUrl) releaseDataDir = prepareDataDir(config.dataDir);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `RyzeAPI cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  const app = await createApp(config);
  const logger = new Logger('Main');
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const started = performance.now();
    const work = app.get(AppLifecycle).beginShutdown();
    logger.log({ signal, ...work }, `${signal} received: shutting down`);
    try {
      await app.close();
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    releaseDataDir?.();
    logger.log(
      { signal, ...work, duration_ms: Math.round(performance.now() - started) },
      `shut down cleanly: closed ${work.bridge_sockets} bridge socket(s) with 1001, finished storing the acks of ` +
        `${work.ack_writes} and the events of ${work.event_writes} instance(s), answered the requests in flight` +
        (releaseDataDir ? `, closed the embedded database and removed its pid file` : ', closed the database pool'),
    );
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s));
  await app.listen(config.port);
  logger.log(
    { port: config.port, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})`, chatwoot: config.bridge ? 'enabled' : 'disabled', whatsappEngine: config.whatsapp.engine },
    `RyzeAPI listening on ${config.baseUrl}`,
  );
}

main().catch((error) => {
  console.error('RyzeAPI failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
