import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { prepareDataDir } from './src/shared/database/data-source.options.js';
import { bridgeDataSourceOptions } from './src/bridge/database/data-source.options.js';

const settings = { databaseUrl: process.env.DATABASE_URL?.trim() || undefined, dataDir: process.env.DATA_DIR?.trim() || './data-bridge' };
if (!settings.databaseUrl) prepareDataDir(settings.dataDir);

/** The bridge's DataSource for the TypeORM CLI (bridge:migration:generate / run / check). */
export default new DataSource({ ...bridgeDataSourceOptions(settings), migrationsRun: false });
