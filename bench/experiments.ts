import { BridgeConnection } from '../src/chatwoot/channel/bridge.connection.js';
import { OutboxRepository } from '../src/chatwoot/channel/outbox.repository.js';
import { log } from './stats.js';

/**
 * BENCH_EXPERIMENT=name[,name]: swaps in a candidate implementation of a hot-path method before the
 * app starts, to measure it against the current one without editing src/ (diagnosis only).
 */
export function applyExperiments(names: string | undefined): void {
  for (const name of (names ?? '').split(',').filter(Boolean)) {
    switch (name) {
      case 'ack-range':
        // Delete only (previous cursor, new cursor]: the rows at or below the previous cursor are gone
        // already, and a DELETE from the start of the index walks every dead entry left by earlier acks.
        OutboxRepository.prototype.ack = async function (this: any, instanceId: string, seq: number) {
          await this.db.query(
            `WITH o AS (SELECT last_acked_seq FROM chatwoot_integrations WHERE instance_id = $1),
                  c AS (UPDATE chatwoot_integrations SET last_acked_seq = GREATEST(last_acked_seq, LEAST($2::bigint, last_seq))
                         WHERE instance_id = $1 RETURNING last_acked_seq)
             DELETE FROM chatwoot_events WHERE instance_id = $1 AND seq > (SELECT last_acked_seq FROM o) AND seq <= (SELECT last_acked_seq FROM c)`,
            [instanceId, seq],
          );
        };
        break;
      case 'read-range':
        // Bounded to `limit` seqs from the first one after afterSeq: whichever plan the planner picks
        // (with stale statistics it sorts the instance's whole backlog), it touches at most `limit` rows.
        OutboxRepository.prototype.read = function (this: any, instanceId: string, afterSeq: number, limit: number) {
          return this.db
            .query(
              `WITH f AS (SELECT seq FROM chatwoot_events WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT 1)
               SELECT e.seq, e.event, e.data FROM chatwoot_events e, f
                WHERE e.instance_id = $1 AND e.seq >= f.seq AND e.seq < f.seq + $3::bigint ORDER BY e.seq LIMIT $3`,
              [instanceId, afterSeq, limit],
            )
            .then((rows: { seq: string; event: string; data: unknown }[]) => rows.map((r) => ({ ...r, seq: Number(r.seq) })));
        };
        break;
      case 'cork':
        // ws writes every frame with its own writev; corking the TCP socket until the end of the
        // current burst sends a burst of frames in one write.
        (BridgeConnection.prototype as any).sendFrame = function (this: any, frame: object) {
          if (!this.open) return;
          const raw = this.socket._socket;
          if (raw && !this.corked) {
            this.corked = true;
            raw.cork();
            process.nextTick(() => {
              this.corked = false;
              raw.uncork();
            });
          }
          this.socket.send(JSON.stringify(frame));
        };
        break;
      default:
        throw new Error(`unknown experiment ${name}`);
    }
    log(`experiment: ${name}`);
  }
}
