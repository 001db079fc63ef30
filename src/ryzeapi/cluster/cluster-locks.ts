import { Injectable } from '@nestjs/common';
import { KeyedMutex } from '../../shared/concurrency/keyed-mutex.js';
import { ClusterPool } from './cluster-pool.js';

const LOCK = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`;
const TRY_LOCK = `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`;

/**
 * Work that runs one at a time per key on all nodes together. Within a node, a KeyedMutex queues
 * it (so one node waits on PostgreSQL with one connection per key at most); across nodes, a
 * PostgreSQL advisory lock taken in a transaction held open around the work. Transaction-scoped on
 * purpose: the lock ends with the transaction, or with its connection when that breaks, so no path
 * can hand a pooled connection back still holding it (a session lock needs its unlock on that same
 * connection, every time). The work runs on the main pool, not inside that transaction.
 */
@Injectable()
export class ClusterLocks {
  private readonly local = new KeyedMutex();

  constructor(private readonly pool: ClusterPool) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.local.run(key, () => (this.pool.clustered ? this.locked(key, false, task).then((r) => (r as { value: T }).value) : task()));
  }

  /** Runs `task` unless it is already running (on any node): `{ ran: false }` then. */
  async tryRun<T>(key: string, task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (!this.pool.clustered) return { ran: true, value: await task() };
    return this.locked(key, true, task);
  }

  private async locked<T>(key: string, onlyIfFree: boolean, task: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const client = await this.pool.locks.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(onlyIfFree ? TRY_LOCK : LOCK, [key]);
      if (onlyIfFree && !rows[0].locked) return { ran: false };
      return { ran: true, value: await task() };
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      await client.query('COMMIT').catch(() => (broken = true));
      client.release(broken);
    }
  }
}
