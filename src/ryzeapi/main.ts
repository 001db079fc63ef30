import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { loadConfig } from './config/app-config.js';
import { ConfigError } from '../shared/config/config.error.js';
import { prepareDataDir } from './database/data-source.options.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    if (!config.databaseUrl) prepareDataDir(config.dataDir);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `RyzeAPI cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  const app = await createApp(config);
  app.enableShutdownHooks();
  await app.listen(config.port);
  new Logger('Main').log(
    { port: config.port, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})`, chatwoot: config.bridge ? 'enabled' : 'disabled', whatsappEngine: config.whatsapp.engine },
    `RyzeAPI listening on ${config.baseUrl}`,
  );
}

main().catch((error) => {
  console.error('RyzeAPI failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
