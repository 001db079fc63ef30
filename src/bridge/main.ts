import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError } from '../shared/config/config.error.js';
import { prepareDataDir } from '../shared/database/data-source.options.js';
import { createBridgeApp } from './bridge-app.factory.js';
import { loadBridgeConfig } from './config/bridge-config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadBridgeConfig();
    if (!config.databaseUrl) prepareDataDir(config.dataDir);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `The bridge cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  const app = await createBridgeApp(config);
  app.enableShutdownHooks();
  await app.listen(config.port);
  new Logger('Main').log(
    { port: config.port, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})` },
    `RyzeIntegrations (bridge) listening on ${config.publicUrl}`,
  );
}

main().catch((error) => {
  console.error('The bridge failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
