import type { DataSourceOptions } from 'typeorm';
import { dataSourceOptions, type DatabaseSettings } from '../../shared/database/data-source.options.js';
import { BRIDGE_ENTITIES } from './entities.js';
import { BRIDGE_MIGRATIONS } from './migrations/index.js';

/** The bridge's tables (all `bridge_*`, migrations in `bridge_migrations`): it may share RyzeAPI's database. */
export function bridgeDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return dataSourceOptions(settings, { entities: BRIDGE_ENTITIES, migrations: BRIDGE_MIGRATIONS, migrationsTableName: 'bridge_migrations' });
}
