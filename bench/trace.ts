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
  const original = db.query.bind(db);
  let chain: Promise<unknown> = Promise.resolve();
  // The query runner is passed on: a transaction's statements must run on its own connection.
  (db as { query: unknown }).query = async (sql: string, params?: unknown[], runner?: QueryRunner) => {
    statements++;
    if (!detailed) return original(sql, params, runner);
    const kind = sql.replace(/\s+/g, ' ').trim().slice(0, 60);
    let t = 0;
    const run = () => ((t = nowMs()), original(sql, params, runner));
    const pending = serial ? chain.then(run, run) : run();
    if (serial) chain = pending.catch(() => undefined);
    const result = await pending;
    const s = stats.get(kind) ?? { n: 0, ms: 0, rows: 0 };
    s.n++;
    s.ms += nowMs() - t;
    s.rows += Array.isArray(result) ? result.length : 0;
    stats.set(kind, s);
    return result;
  };
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
