import { BridgeConnection } from '../src/chatwoot/channel/bridge.connection.js';
import { ChannelHub } from '../src/chatwoot/channel/channel.hub.js';
import { OutboxRepository } from '../src/chatwoot/channel/outbox.repository.js';
import { log } from './stats.js';

/**
 * BENCH_EXPERIMENT=name[,name]: swaps in another implementation of a hot-path method before the app
 * starts, to measure it against the current one without editing src/ (diagnosis only). `read-old`,
 * `ack-old`, `cork-old` and `read-parsed` restore what the hot path did before the bench's fixes, for
 * before/after figures; `skip-empty-read` and `ack-delay` are candidates not applied.
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
        (BridgeConnection.prototype as any).sendText = function (this: any, text: string) {
          if (this.open) this.socket.send(text);
        };
        break;
      case 'read-parsed':
        // Bounded page, but the payload parsed by the driver and stringified again into the frame.
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
      case 'skip-empty-read': {
        // The connection remembers whether stored events may be waiting unread (a full page, an
        // append it could not send from memory); an ack pumps only then, not after every ack.
        const P = BridgeConnection.prototype as any;
        P.appended = function (this: any, events: { seq: number }[]) {
          if (this.pumping || events[0]?.seq !== this.lastSent + 1) {
            this.unread = true;
            void this.pump();
            return;
          }
          const room = this.deps.window - (this.lastSent - this.lastAcked);
          for (const event of events.slice(0, Math.max(0, room))) this.sendEvent(event);
          if (room < events.length) {
            this.unread = true;
            void this.pump();
          }
        };
        P.pump = async function (this: any) {
          if (this.pumping) {
            this.pumpAgain = true;
            return;
          }
          this.pumping = true;
          try {
            do {
              this.pumpAgain = false;
              while (this.open) {
                const room = this.deps.window - (this.lastSent - this.lastAcked);
                if (room <= 0) break;
                const asked = Math.min(room, 1000);
                this.unread = false;
                const events = await this.deps.read(this.lastSent, asked);
                for (const event of events) if (event.seq > this.lastSent) this.sendEvent(event);
                if (events.length < asked) break;
                this.unread = true;
              }
            } while (this.pumpAgain && this.open);
          } catch (error) {
            this.logger.error({ err: error, instance: this.instance.name }, 'reading the outbox failed; closing the socket');
            this.close(1011, 'internal error');
          } finally {
            this.pumping = false;
          }
        };
        P.onAck = function (this: any, seq: number) {
          if (seq > this.lastSent) {
            return this.sendFrame({ type: 'error', message: `invalid frame: ack.seq ${seq} is beyond the last event sent (${this.lastSent})` });
          }
          if (seq <= this.lastAcked) return;
          this.lastAcked = seq;
          this.deps.ack(seq);
          if (this.unread !== false) void this.pump();
        };
        break;
      }
      case 'ack-delay':
        // The cursor write of an instance starts 20 ms after the first ack it covers, so that the
        // acks of those 20 ms make one write (candidate, not applied).
        (ChannelHub.prototype as any).ack = function (this: any, instanceId: string, seq: number) {
          if (seq <= (this.ackTarget.get(instanceId) ?? -1)) return;
          this.ackTarget.set(instanceId, seq);
          if (!this.ackWrites.has(instanceId)) {
            this.ackWrites.set(instanceId, new Promise((r) => setTimeout(r, 20)).then(() => this.writeAcks(instanceId)));
          }
        };
        break;
      default:
        throw new Error(`unknown experiment ${name}`);
    }
    log(`experiment: ${name}`);
  }
}
