/**
 * `node dist/bench/sql-diag.js`: the outbox statements in isolation, on DATABASE_URL's PostgreSQL or
 * a fresh PGlite, current SQL against candidate SQL, as the outbox grows and is acknowledged.
 * No sockets, no HTTP: each figure is the statement's own time. Diagnosis only (not part of `npm run bench`).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { OutboxRepository } from '../src/chatwoot/channel/outbox.repository.js';
import { dataSourceOptions } from '../src/database/data-source.options.js';
import { incomingMessage } from './payload.js';
import { log, nowMs, round } from './stats.js';

const READ_OLD = `SELECT seq, event, data FROM chatwoot_events WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`;
const READ_NEW = `WITH f AS (SELECT seq FROM chatwoot_events WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT 1)
  SELECT e.seq, e.event, e.data FROM chatwoot_events e, f
   WHERE e.instance_id = $1 AND e.seq >= f.seq AND e.seq < f.seq + $3::bigint ORDER BY e.seq LIMIT $3`;
const ACK_OLD = `WITH c AS (UPDATE chatwoot_integrations SET last_acked_seq = GREATEST(last_acked_seq, LEAST($2::bigint, last_seq))
                   WHERE instance_id = $1 RETURNING last_acked_seq)
       DELETE FROM chatwoot_events WHERE instance_id = $1 AND seq <= (SELECT last_acked_seq FROM c)`;
const ACK_NEW = `WITH o AS (SELECT last_acked_seq FROM chatwoot_integrations WHERE instance_id = $1),
        c AS (UPDATE chatwoot_integrations SET last_acked_seq = GREATEST(last_acked_seq, LEAST($2::bigint, last_seq))
               WHERE instance_id = $1 RETURNING last_acked_seq)
   DELETE FROM chatwoot_events WHERE instance_id = $1 AND seq > (SELECT last_acked_seq FROM o) AND seq <= (SELECT last_acked_seq FROM c)`;

const rounds = Number(process.env.DIAG_ROUNDS ?? 200);
const backlog = Number(process.env.DIAG_BACKLOG ?? 100_000);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = nowMs();
  const r = await fn();
  return [r, nowMs() - t];
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  const dataDir = databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'ryze-sqldiag-'));
  const ds = new DataSource(dataSourceOptions({ databaseUrl, dataDir: dataDir ?? '' }));
  await ds.initialize();
  try {
    const tag = randomBytes(3).toString('hex');
    const [{ id: accountId }] = await ds.query(`INSERT INTO accounts (name) VALUES ('diag') RETURNING id`);
    const instance = async (name: string): Promise<string> => {
      const [{ id }] = await ds.query(`INSERT INTO instances (account_id, name) VALUES ($1, $2) RETURNING id`, [accountId, `${tag}-${name}`]);
      await ds.query(
        `INSERT INTO chatwoot_integrations (instance_id, bridge_integration_id, chatwoot_base_url, chatwoot_account_id, chatwoot_api_token, chatwoot_inbox_name)
         VALUES ($1, $2, 'https://chatwoot.example.com', 1, 'x', $2)`,
        [id, `int-${name}`],
      );
      return id;
    };
    const outbox = new OutboxRepository(ds);
    const events = (from: number) => Array.from({ length: 1000 }, (_, i) => ({ event: 'message.exchange', data: incomingMessage(1, from + i) }));

    /** A backlog (replay): `backlog` events, read in pages from the start, with each statement. */
    const backlogScenario = async (when: string): Promise<void> => {
      const c = await instance(`c-${when.replace(/\W+/g, '-')}`);
      const t = nowMs();
      for (let i = 0; i < backlog; i += 1000) await outbox.append(c, events(i));
      log(`backlog (${when}): ${backlog} events appended in ${round((nowMs() - t) / 1000, 2)} s`);
      for (const page of [1000, 400]) {
        for (const [label, sql] of [['old', READ_OLD], ['new', READ_NEW]]) {
          const plan: Record<string, string>[] = await ds.query(`EXPLAIN ${sql}`, [c, 1000, page]);
          const t0 = nowMs();
          let rows = 0;
          for (let after = 0; after < Math.min(backlog, 20 * page); after += page) rows += (await ds.query(sql, [c, after, page])).length;
          log(`backlog read, pages of ${page}, ${label}: ${Math.round(rows / ((nowMs() - t0) / 1000))} rows/s; plan: ${plan.map((r) => Object.values(r)[0].trim()).filter((l) => !l.startsWith('->  Index Cond') && !l.startsWith('Index Cond')).slice(0, 4).join(' | ')}`);
        }
      }
      await ds.query(`DELETE FROM chatwoot_events WHERE instance_id = $1`, [c]);
    };
    await backlogScenario('fresh table');

    // A relay in steady state: append 1000, read them, ack in three steps; old ack SQL on A, new on B.
    const a = await instance('a');
    const b = await instance('b');
    let acc = { append: 0, readOld: 0, readNew: 0, ackOld: 0, ackNew: 0 };
    for (let r = 0; r < rounds; r++) {
      for (const [id, ack, key] of [[a, ACK_OLD, 'ackOld'], [b, ACK_NEW, 'ackNew']] as const) {
        acc.append += (await timed(() => outbox.append(id, events(r * 1000))))[1];
        const [old, tOld] = await timed(() => ds.query(READ_OLD, [id, r * 1000, 1000]));
        const [neu, tNew] = await timed(() => ds.query(READ_NEW, [id, r * 1000, 1000]));
        if (old.length !== 1000 || neu.length !== 1000) throw new Error(`read ${old.length} / ${neu.length} rows`);
        acc.readOld += tOld;
        acc.readNew += tNew;
        for (const part of [333, 666, 1000]) acc[key] += (await timed(() => ds.query(ack, [id, r * 1000 + part])))[1];
      }
      if ((r + 1) % (rounds / 8) === 0) {
        const per = (ms: number, n: number) => round(ms / n, 2);
        const n = rounds / 8;
        log(`steady ${String((r + 1) * 1000).padStart(7)} events acked: append ${per(acc.append, 2 * n)} ms/1000, read old ${per(acc.readOld, 2 * n)} new ${per(acc.readNew, 2 * n)} ms/1000, ack old ${per(acc.ackOld, 3 * n)} new ${per(acc.ackNew, 3 * n)} ms/ack`);
        acc = { append: 0, readOld: 0, readNew: 0, ackOld: 0, ackNew: 0 };
      }
    }
    const [{ n: left }] = await ds.query(`SELECT count(*)::int AS n FROM chatwoot_events WHERE instance_id = ANY($1)`, [[a, b]]);
    if (left !== 0) throw new Error(`${left} rows left after acking everything`);

    await backlogScenario('after the steady relay');
    await ds.query(`DELETE FROM accounts WHERE id = $1`, [accountId]);
  } finally {
    await ds.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
