/**
 * preparedQuery on PostgreSQL: named statements, and the way back to unnamed ones when the server
 * side no longer has them (as behind a pooler in transaction mode). PGlite runs every statement
 * unnamed: without TEST_DATABASE_URL this file is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../../src/shared/database/prepared-query.js';

const url = process.env.TEST_DATABASE_URL;
const describePg = url ? describe : describe.skip;
if (!url) console.log('prepared-query.e2e-spec: skipped, it needs TEST_DATABASE_URL');

describePg('preparedQuery on PostgreSQL', () => {
  let pool: pg.Pool;
  /** The parts of a DataSource it uses, over one connection (so that DEALLOCATE reaches the statement's). */
  let db: DataSource;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: url, max: 1 });
    db = { driver: { master: pool }, query: async (text: string, values?: unknown[]) => (await pool.query(text, values)).rows } as unknown as DataSource;
  });
  afterAll(() => pool.end());

  const prepared = async () => (await pool.query(`SELECT name FROM pg_prepared_statements`)).rows.map((r) => r.name);

  it('prepares the statement once per connection and answers its rows', async () => {
    expect(await preparedQuery(db, 'twice', 'SELECT $1::int * 2 AS n', [21])).toEqual([{ n: 42 }]);
    expect(await preparedQuery(db, 'twice', 'SELECT $1::int * 2 AS n', [5])).toEqual([{ n: 10 }]);
    expect(await prepared()).toEqual(['twice']);
  });

  it('when the server lost it, runs the call unnamed and every later one too', async () => {
    await pool.query('DEALLOCATE ALL');
    expect(await preparedQuery(db, 'twice', 'SELECT $1::int * 2 AS n', [4])).toEqual([{ n: 8 }]);
    expect(await preparedQuery(db, 'thrice', 'SELECT $1::int * 3 AS n', [4])).toEqual([{ n: 12 }]);
    expect(await prepared()).toEqual([]);
  });

  it('other errors reach the caller, and named statements stay on', async () => {
    const other = { ...db } as DataSource;
    await expect(preparedQuery(other, 'broken', 'SELECT 1 / $1::int AS n', [0])).rejects.toMatchObject({ code: '22012' });
    expect(await preparedQuery(other, 'half', 'SELECT $1::int / 2 AS n', [8])).toEqual([{ n: 4 }]);
    expect(await prepared()).toEqual(['half']);
  });
});
