import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { jsonbParam } from '../../../shared/database/jsonb-param.js';
import { preparedQuery } from '../../../shared/database/prepared-query.js';
import { UNSTORABLE } from '../../../shared/text/unstorable.js';

export interface OutboxEvent {
  seq: number;
  event: string;
  /** The payload in JSON text, as stored: it goes into the frame as is. */
  json: string;
}

interface Storable {
  event: string;
  command?: string;
  /** The payload in JSON text. */
  json: string;
}

const replaceUnstorable = (_key: string, value: unknown) =>
  typeof value === 'string' && UNSTORABLE.test(value) ? value.replace(new RegExp(UNSTORABLE.source, 'g'), '\uFFFD') : value;

/**
 * Each payload in JSON text, once: the same text is stored and sent to the bridge. jsonb refuses
 * NUL and unpaired surrogates, and one refused event would fail its whole batch: such characters
 * are stored as U+FFFD instead. JSON.stringify writes both as \u escapes, so a text without any
 * needs no look at its strings.
 */
function storable(events: { event: string; data: unknown; command?: string }[]): Storable[] {
  return events.map(({ event, data, command }) => {
    const json = JSON.stringify(data ?? null);
    return { event, command, json: json.includes('\\u') ? JSON.stringify(data ?? null, replaceUnstorable) : json };
  });
}

/** The events in the JSON array the append statements read (`item->'data'` and so on). */
const arrayJson = (events: Storable[]) =>
  `[${events.map((e) => `{"event":${JSON.stringify(e.event)},"data":${e.json}${e.command ? `,"command":${JSON.stringify(e.command)}` : ''}}`).join(',')}]`;

const numbered = (events: Storable[], base: number): OutboxEvent[] => events.map((e, i) => ({ seq: base + i + 1, event: e.event, json: e.json }));

/** A bridge command whose send went out as messageId. */
export interface CommandSent {
  command: string;
  messageId: string;
}

/**
 * `chatwoot_events`: each instance's outbox of events for its bridge, with gap-free seqs. Every
 * write is one statement (data-modifying CTEs), so it is atomic on PostgreSQL and on PGlite alike,
 * where all queries share one session. An append of a send's events stores its command's result in
 * the same statement (the ledger's row), so that both are stored or neither.
 */
@Injectable()
export class OutboxEventsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Appends events with the next gap-free seqs; returns them as stored (none if the integration is
   * gone). `sent` are the bridge commands whose sends these events come from: their results are
   * stored in the same statement, and the events of a command whose result was already stored (a
   * send recovered at start by another node meanwhile) are left out, so they are stored once.
   */
  async append(instanceId: string, events: { event: string; data: unknown; command?: string }[], sent: CommandSent[] = []): Promise<OutboxEvent[]> {
    if (!events.length && !sent.length) return [];
    const items = storable(events);
    const json = arrayJson(items);
    if (!sent.length) return this.appendEvents(instanceId, items, json);
    const results = sent.map(({ command, messageId }) => ({ command, result: { type: 'result', id: command, ok: true, message_id: messageId } }));
    const [row] = await this.db.query(
      `WITH x AS (SELECT item->>'command' AS command, item->'result' AS result FROM jsonb_array_elements($3::jsonb) AS item),
            r AS (UPDATE chatwoot_commands c SET result = x.result FROM x
                   WHERE c.instance_id = $1 AND c.command_id = x.command AND c.result IS NULL
                  RETURNING c.command_id),
            skipped AS (SELECT command FROM x
                         WHERE command NOT IN (SELECT command_id FROM r)
                           AND command IN (SELECT command_id FROM chatwoot_commands WHERE instance_id = $1)),
            e AS (SELECT item, row_number() OVER (ORDER BY ord) AS n
                    FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS a(item, ord)
                   WHERE item->>'command' IS NULL OR item->>'command' NOT IN (SELECT command FROM skipped)),
            s AS (UPDATE chatwoot_integrations SET last_seq = last_seq + (SELECT count(*) FROM e) WHERE instance_id = $1
                  RETURNING last_seq - (SELECT count(*) FROM e) AS base),
            ins AS (INSERT INTO chatwoot_events (instance_id, seq, event, data)
                    SELECT $1, s.base + e.n, e.item->>'event', e.item->'data' FROM s, e)
       SELECT base, (SELECT coalesce(json_agg(command), '[]')::text FROM skipped) AS skipped FROM s`,
      [instanceId, jsonbParam(json), JSON.stringify(results)],
    );
    if (!row) return [];
    const skipped = new Set<string>(JSON.parse(row.skipped));
    return numbered(skipped.size ? items.filter((e) => !e.command || !skipped.has(e.command)) : items, Number(row.base));
  }

  /** The plain append (no command results in the batch): the hot path of inbound events, kept minimal. */
  private async appendEvents(instanceId: string, events: Storable[], json: string): Promise<OutboxEvent[]> {
    const [row] = await preparedQuery<{ base: string }>(
      this.db,
      'outbox_append',
      `WITH s AS (UPDATE chatwoot_integrations SET last_seq = last_seq + $2 WHERE instance_id = $1 RETURNING last_seq - $2 AS base),
            ins AS (INSERT INTO chatwoot_events (instance_id, seq, event, data)
                    SELECT $1, s.base + e.ord, e.item->>'event', e.item->'data'
                      FROM s, jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(item, ord))
       SELECT base FROM s`,
      [instanceId, events.length, jsonbParam(json)],
    );
    return row ? numbered(events, Number(row.base)) : [];
  }

  /**
   * Up to `limit` events after afterSeq. The page is bounded by seq (from the first one after
   * afterSeq) rather than by LIMIT alone: with stale statistics (PGlite never runs autovacuum or
   * ANALYZE) the planner sorts the instance's whole backlog for `ORDER BY seq LIMIT 1000`, which made
   * each read cost O(backlog). Seqs are gap-free, so a bounded page is as full as an unbounded one.
   * The payload comes as JSON text, not parsed: the connection puts it into the frame as it is.
   */
  read(instanceId: string, afterSeq: number, limit: number): Promise<OutboxEvent[]> {
    return this.db
      .query(
        `WITH f AS (SELECT seq FROM chatwoot_events WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT 1)
         SELECT e.seq, e.event, e.data::text AS json FROM chatwoot_events e, f
          WHERE e.instance_id = $1 AND e.seq >= f.seq AND e.seq < f.seq + $3::bigint ORDER BY e.seq LIMIT $3`,
        [instanceId, afterSeq, limit],
      )
      .then((rows: { seq: string; event: string; json: string }[]) => rows.map((r) => ({ ...r, seq: Number(r.seq) })));
  }

  async pending(instanceId: string): Promise<number> {
    const [row] = await this.db.query(`SELECT count(*)::int AS n FROM chatwoot_events WHERE instance_id = $1`, [instanceId]);
    return row.n;
  }

  /**
   * Drops unacknowledged events older than maxAgeMs or beyond the newest maxEvents; counts them per
   * instance. The statement ends in a SELECT: TypeORM returns `[rows, rowCount]` for a top-level UPDATE.
   */
  async prune(maxEvents: number, maxAgeMs: number): Promise<{ instanceId: string; instance: string; dropped: number }[]> {
    const rows: { instance_id: string; name: string; n: string }[] = await this.db.query(
      `WITH d AS (DELETE FROM chatwoot_events e USING chatwoot_integrations i
                   WHERE e.instance_id = i.instance_id
                     AND (e.created_at < now() - $1 * interval '1 millisecond' OR e.seq <= i.last_seq - $2)
                  RETURNING e.instance_id),
            c AS (SELECT instance_id, count(*) AS n FROM d GROUP BY instance_id),
            u AS (UPDATE chatwoot_integrations i SET dropped_events = dropped_events + c.n FROM c
                   WHERE i.instance_id = c.instance_id RETURNING i.instance_id, c.n)
       SELECT u.instance_id, i.name, u.n FROM u JOIN instances i ON i.id = u.instance_id`,
      [maxAgeMs, maxEvents],
    );
    return rows.map((r) => ({ instanceId: r.instance_id, instance: r.name, dropped: Number(r.n) }));
  }

  /** Unacknowledged events and the age of the oldest, in all or per instance name (for /metrics). */
  async backlog(perInstance: boolean): Promise<{ instance?: string; pending: number; oldestSeconds: number }[]> {
    const rows: { name?: string; n: number; age: number | null }[] = await this.db.query(
      perInstance
        ? `SELECT i.name, count(*)::int AS n, extract(epoch FROM now() - min(e.created_at))::float8 AS age
             FROM chatwoot_events e JOIN instances i ON i.id = e.instance_id GROUP BY i.name`
        : `SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float8 AS age FROM chatwoot_events`,
    );
    return rows.map((r) => ({ instance: r.name, pending: r.n, oldestSeconds: Math.max(0, r.age ?? 0) }));
  }

  /** The outbox's tables (the command ledger's too: one statement), for PGlite, which never runs autovacuum. */
  async vacuum(): Promise<void> {
    await this.db.query(`VACUUM (ANALYZE) chatwoot_events, chatwoot_commands`);
  }
}
