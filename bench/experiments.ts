import { BridgeConnection } from '../src/chatwoot/channel/bridge.connection.js';
import { OutboxRepository } from '../src/chatwoot/channel/outbox.repository.js';
import { log } from './stats.js';

/**
 * BENCH_EXPERIMENT=name[,name]: swaps in another implementation of a hot-path method before the app
 * starts, to measure it against the current one without editing src/ (diagnosis only). The `*-old`
 * ones restore what the hot path did before the bench's fixes, for before/after figures.
 */
export function applyExperiments(names: string | undefined): void {
  for (const name of (names ?? '').split(',').filter(Boolean)) {
    switch (name) {
      case 'read-old':
        // Unbounded page: with stale statistics the planner sorts the instance's whole backlog.
        OutboxRepository.prototype.read = function (this: any, instanceId: string, afterSeq: number, limit: number) {
          return this.db
            .query(`SELECT seq, event, data FROM chatwoot_events WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [instanceId, afterSeq, limit])
            .then((rows: { seq: string; event: string; data: unknown }[]) => rows.map((r) => ({ ...r, seq: Number(r.seq) })));
        };
        break;
      case 'ack-old':
        // Deletes from the start of the index: walks every dead entry earlier acks left.
        OutboxRepository.prototype.ack = async function (this: any, instanceId: string, seq: number) {
          await this.db.query(
            `WITH c AS (UPDATE chatwoot_integrations SET last_acked_seq = GREATEST(last_acked_seq, LEAST($2::bigint, last_seq))
                         WHERE instance_id = $1 RETURNING last_acked_seq)
             DELETE FROM chatwoot_events WHERE instance_id = $1 AND seq <= (SELECT last_acked_seq FROM c)`,
            [instanceId, seq],
          );
        };
        break;
      case 'cork-old':
        // One write syscall per frame.
        (BridgeConnection.prototype as any).sendFrame = function (this: any, frame: object) {
          if (this.open) this.socket.send(JSON.stringify(frame));
        };
        break;
      case 'raw-json':
        // Reads data as text and splices it into the frame: no JSON.parse of what was read, no
        // JSON.stringify of it again (candidate, not applied).
        OutboxRepository.prototype.read = function (this: any, instanceId: string, afterSeq: number, limit: number) {
          return this.db
            .query(
              `WITH f AS (SELECT seq FROM chatwoot_events WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT 1)
               SELECT e.seq, e.event, e.data::text AS raw FROM chatwoot_events e, f
                WHERE e.instance_id = $1 AND e.seq >= f.seq AND e.seq < f.seq + $3::bigint ORDER BY e.seq LIMIT $3`,
              [instanceId, afterSeq, limit],
            )
            .then((rows: { seq: string; event: string; raw: string }[]) => rows.map((r) => ({ seq: Number(r.seq), event: r.event, raw: r.raw })));
        };
        (BridgeConnection.prototype as any).sendEvent = function (this: any, event: { seq: number; event: string; data?: unknown; raw?: string }) {
          this.lastSent = event.seq;
          if (event.raw === undefined) {
            this.sendFrame({ type: 'event', seq: event.seq, event: event.event, data: event.data, instanceData: { baseUrl: this.deps.baseUrl, instance: this.instance.name } });
            return;
          }
          this.sendFrame({
            toJSON: () => undefined,
            raw: `{"type":"event","seq":${event.seq},"event":${JSON.stringify(event.event)},"data":${event.raw},"instanceData":${JSON.stringify({ baseUrl: this.deps.baseUrl, instance: this.instance.name })}}`,
          });
        };
        {
          const original = (BridgeConnection.prototype as any).sendFrame;
          (BridgeConnection.prototype as any).sendFrame = function (this: any, frame: { raw?: string }) {
            if (typeof frame.raw !== 'string') return original.call(this, frame);
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
            this.socket.send(frame.raw);
          };
        }
        break;
      default:
        throw new Error(`unknown experiment ${name}`);
    }
    log(`experiment: ${name}`);
  }
}
