import type { DataSource } from 'typeorm';
import { log, nowMs, round } from './stats.js';

/**
 * BENCH_TRACE_SQL=1: counts statements by kind and their time from call to result (diagnosis only).
 * With `serial`, runs them one at a time so that the time is each statement's own (PGlite runs
 * them one at a time anyway).
 */
export function traceQueries(db: DataSource, serial: boolean): () => void {
  const stats = new Map<string, { n: number; ms: number; rows: number }>();
  const original = db.query.bind(db);
  let chain: Promise<unknown> = Promise.resolve();
  (db as { query: unknown }).query = async (sql: string, params?: unknown[]) => {
    const kind = sql.replace(/\s+/g, ' ').trim().slice(0, 60);
    let t = 0;
    const run = () => ((t = nowMs()), original(sql, params));
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
  return () => {
    for (const [kind, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
      log(`sql ${String(s.n).padStart(7)} x ${round(s.ms / s.n, 2)} ms (total ${Math.round(s.ms)} ms, ${s.rows} rows): ${kind}`);
    }
    stats.clear();
  };
}
