import type { DataSourceOptions } from 'typeorm';
import { dataSourceOptions as sharedOptions, type DatabaseSettings } from '../../shared/database/data-source.options.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';

export { prepareDataDir, type DatabaseSettings } from '../../shared/database/data-source.options.js';

/** RyzeAPI's tables (migrations table: TypeORM's default `migrations`). */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return sharedOptions(settings, { entities: ENTITIES, migrations: MIGRATIONS });
}
