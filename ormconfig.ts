import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, prepareDataDir } from './src/ryzeapi/database/data-source.options.js';

const settings = { databaseUrl: process.env.DATABASE_URL?.trim() || undefined, dataDir: process.env.DATA_DIR?.trim() || './data' };
if (!settings.databaseUrl) prepareDataDir(settings.dataDir);

/** The DataSource for the TypeORM CLI (migration:generate / migration:run), on the service's own settings. */
export default new DataSource({ ...dataSourceOptions(settings), migrationsRun: false });
