import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { loadConfig } from './config/app-config.js';
import { ConfigError } from './config/config.error.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  app.enableShutdownHooks();
  await app.listen(config.port);
}

main().catch((error) => {
  console.error('RyzeAPI failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
