import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source.options.js';

/** The DataSource for the TypeORM CLI (migration:generate / migration:run), on the service's own settings. */
export default new DataSource({
  ...dataSourceOptions({ databaseUrl: process.env.DATABASE_URL?.trim() || undefined, dataDir: process.env.DATA_DIR?.trim() || './data' }),
  migrationsRun: false,
});
