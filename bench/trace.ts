import pg from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { log, nowMs, round } from './stats.js';

export interface SqlPhase {
  statements: number;
  /** Statements by kind (their first 60 characters): count, mean ms, rows returned. */
  by_kind?: { sql: string; n: number; mean_ms: number; rows: number }[];
}

/**
 * Counts every statement the app runs, per phase (`take()` returns and resets the counts). With
 * BENCH_TRACE_SQL=1 (or `serial`) it also times them by kind and prints the list; `serial` runs
 * them one at a time so that each time is the statement's own (PGlite runs them one at a time anyway).
 */
export function traceQueries(db: DataSource, mode: string | undefined): { take(): SqlPhase } {
  const detailed = !!mode;
  const serial = mode === 'serial';
  const stats = new Map<string, { n: number; ms: number; rows: number }>();
  let statements = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const traced = async <T>(sql: string, run: () => Promise<T>, rows: (result: T) => number): Promise<T> => {
    statements++;
    if (!detailed) return run();
    const kind = sql.replace(/\s+/g, ' ').trim().slice(0, 60);
    let t = 0;
    const timed = () => ((t = nowMs()), run());
    const pending = serial ? chain.then(timed, timed) : timed();
    if (serial) chain = pending.catch(() => undefined);
    const result = await pending;
    const s = stats.get(kind) ?? { n: 0, ms: 0, rows: 0 };
    s.n++;
    s.ms += nowMs() - t;
    s.rows += rows(result);
    stats.set(kind, s);
    return result;
  };
  const original = db.query.bind(db);
  // The query runner is passed on: a transaction's statements must run on its own connection.
  (db as { query: unknown }).query = (sql: string, params?: unknown[], runner?: QueryRunner) =>
    traced(sql, () => original(sql, params, runner), (result) => (Array.isArray(result) ? result.length : 0));
  // Prepared statements (preparedQuery) go to pg's pool itself; TypeORM's own statements go through
  // pool.connect() and a client, so nothing is counted twice.
  const pool = (db.driver as { master?: unknown }).master;
  if (pool instanceof pg.Pool) {
    const poolQuery = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
    (pool as { query: unknown }).query = (config: pg.QueryConfig) => traced(config.text, () => poolQuery(config), (result) => result.rowCount ?? 0);
  }
  return {
    take() {
      const sorted = [...stats].sort((a, b) => b[1].ms - a[1].ms);
      for (const [kind, s] of sorted) {
        log(`sql ${String(s.n).padStart(7)} x ${round(s.ms / s.n, 2)} ms (total ${Math.round(s.ms)} ms, ${s.rows} rows): ${kind}`);
      }
      const phase: SqlPhase = {
        statements,
        ...(detailed && { by_kind: sorted.map(([sql, s]) => ({ sql, n: s.n, mean_ms: round(s.ms / s.n, 3), rows: s.rows })) }),
      };
      stats.clear();
      statements = 0;
      return phase;
    },
  };
}
