import pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs a statement that comes many times a second (the outbox's appends and acks) as a named
 * prepared statement on PostgreSQL: parsed and planned once per connection instead of at every
 * call. An append of ten events measured 575 -> 325 µs of PostgreSQL CPU, most of it the planning
 * of its data-modifying CTEs. PGlite's driver has no named statements: there it runs as any other.
 */
export async function preparedQuery<T>(db: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (db.driver as { master?: unknown }).master;
  if (!(pool instanceof pg.Pool)) return db.query(text, values);
  return (await pool.query({ name, text, values })).rows as T[];
}
