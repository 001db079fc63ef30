import { mkdirSync } from 'node:fs';
import { types } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import { lockDataDir } from './data-dir.lock.js';

export interface DatabaseSettings {
  databaseUrl?: string;
  dataDir: string;
}

/** What one application keeps in the database: its entities, its migrations and their bookkeeping table. */
export interface Schema {
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  migrationsTableName?: string;
}

const jsonb = types.serializers[types.JSONB];

/**
 * PGlite serializes parameters by their type, `jsonb` with JSON.stringify: a jsonbParam (a Buffer)
 * passes as it is. (Its types say a serializer returns a string; its protocol writer sends a
 * Uint8Array as a binary parameter.)
 */
export const pgliteSerializers = {
  [types.JSONB]: (value: unknown): string => (value instanceof Uint8Array ? (value as unknown as string) : jsonb(value)),
};

/**
 * PostgreSQL through `pg` when DATABASE_URL is set, else the embedded PGlite stored in DATA_DIR.
 * PGlite is one database per process (typeorm-pglite keeps a singleton): two applications started
 * in one process (the tests) share it, which their distinct table names allow.
 */
export function dataSourceOptions({ databaseUrl, dataDir }: DatabaseSettings, schema: Schema): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: schema.entities,
    migrations: schema.migrations,
    ...(schema.migrationsTableName && { migrationsTableName: schema.migrationsTableName }),
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    uuidExtension: 'pgcrypto' as const,
    // Failed queries surface as exceptions; TypeORM's own console logging would print their parameters.
    logging: false,
  };
  if (databaseUrl) return { ...common, url: databaseUrl, extra: { max: 10 } };
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  return { ...common, driver: new PGliteDriver({ dataDir, extensions: { pgcrypto }, serializers: pgliteSerializers }).driver };
}

/**
 * Creates the embedded database's folder and takes it for this process (see lockDataDir). Called by
 * the entry points (service, CLIs), not per DataSource: tests reopen one folder in one process.
 */
export function prepareDataDir(dataDir: string): (() => void) | undefined {
  if (dataDir.startsWith('memory://')) return undefined;
  mkdirSync(dataDir, { recursive: true });
  return lockDataDir(dataDir);
}
