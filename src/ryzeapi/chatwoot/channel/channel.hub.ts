import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { BridgeConnection } from './bridge.connection.js';
import { CLOSE } from '../../../shared/protocol/channel.frames.js';
import { ChannelCursorsRepository } from './channel-cursors.repository.js';
import type { OutboxEvent } from './outbox-events.repository.js';
import { DeadlineWait } from '../../../shared/timing/deadline-wait.js';

/**
 * How long an ack may wait before it is stored. Acks within that time are stored together: one
 * cursor write, and one delete of the acked rows, instead of one per ack. An ack not yet stored when
 * the process dies only means those events are delivered again (the bridge drops seqs it has seen).
 */
export const ACK_DELAY_MS = 100;
/**
 * While each write covers ACK_BUSY_EVENTS or more (a backlog being replayed, a flood), acks are
 * written every ACK_BUSY_DELAY_MS instead: a delete of a few thousand rows at once slowed the reads
 * of the replay beside it (100,000 events: 1.3 -> 1.5 s on PostgreSQL).
 */
const ACK_BUSY_EVENTS = 1000;
const ACK_BUSY_DELAY_MS = 20;
/** The write is started by an ack arriving after the delay; the timer only serves the last ack of a burst. */
const ACK_GRACE_MS = 10;

/**
 * The live bridge sockets, one per instance, and the acknowledged cursors they move. Cursor writes
 * are coalesced per instance: at most one every ACK_DELAY_MS (ACK_BUSY_DELAY_MS while busy), and
 * while one is under way, later acks only raise the next value. A new socket's hello, and shutdown,
 * wait for them (acksSettled).
 */
@Injectable()
export class ChannelHub implements OnApplicationShutdown {
  private readonly logger = new Logger(ChannelHub.name);
  private readonly connections = new Map<string, BridgeConnection>();
  private readonly ackTarget = new Map<string, number>();
  private readonly ackWrites = new Map<string, Promise<void>>();
  /** The wait before an instance's next cursor write. */
  private readonly ackWaits = new Map<string, DeadlineWait>();
  /** Instances whose acks someone waits for: written without delay until they are all stored. */
  private readonly ackUrgent = new Set<string>();

  constructor(private readonly cursors: ChannelCursorsRepository) {}

  /** Registers a socket; an older one of the same instance is closed with 4409. */
  add(instanceId: string, connection: BridgeConnection): void {
    const previous = this.connections.get(instanceId);
    this.connections.set(instanceId, connection);
    previous?.close(CLOSE.replaced, 'replaced by a newer connection');
    connection.socket.once('close', () => {
      if (this.connections.get(instanceId) === connection) this.connections.delete(instanceId);
    });
  }

  isConnected(instanceId: string): boolean {
    return this.connections.get(instanceId)?.open ?? false;
  }

  get size(): number {
    return this.connections.size;
  }

  /** Instances whose acks are being stored. */
  get ackWritesPending(): number {
    return this.ackWrites.size;
  }

  /** False when the instance has no socket on this node (another node may hold it). */
  appended(instanceId: string, events: OutboxEvent[]): boolean {
    const connection = this.connections.get(instanceId);
    connection?.appended(events);
    return !!connection;
  }

  /** Events were stored elsewhere (another node): the socket reads them from the outbox. */
  wake(instanceId: string, seq: number): void {
    this.connections.get(instanceId)?.wake(seq);
  }

  wakeAll(): void {
    for (const connection of this.connections.values()) connection.wake();
  }

  close(instanceId: string, code: number, reason: string): void {
    this.connections.get(instanceId)?.close(code, reason);
    this.connections.delete(instanceId);
  }

  closeAll(code: number, reason: string): void {
    for (const connection of this.connections.values()) connection.close(code, reason);
    this.connections.clear();
  }

  /** The ws README heartbeat: terminate peers that missed the last ping, ping the others. */
  sweep(): void {
    for (const connection of this.connections.values()) {
      if (!connection.alive) {
        this.logger.warn({ instance: connection.instance.name }, 'bridge socket missed a heartbeat; terminating');
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  ack(instanceId: string, seq: number): void {
    if (seq <= (this.ackTarget.get(instanceId) ?? -1)) return;
    this.ackTarget.set(instanceId, seq);
    if (!this.ackWrites.has(instanceId)) this.ackWrites.set(instanceId, this.writeAcks(instanceId));
    else this.ackWaits.get(instanceId)?.poke();
  }

  /** Acks that came after the gateway's shutdown settled them (it stores the others while the database is surely open). */
  onApplicationShutdown(): Promise<void> {
    return this.acksSettled();
  }

  /** Resolves once every ack received so far is stored (written now, without waiting for the delay). */
  async acksSettled(instanceId?: string): Promise<void> {
    const ids = instanceId ? [instanceId] : [...this.ackWrites.keys()];
    for (const id of ids) {
      if (!this.ackWrites.has(id)) continue;
      this.ackUrgent.add(id);
      this.ackWaits.get(id)?.end();
    }
    await Promise.all(ids.map((id) => this.ackWrites.get(id)));
  }

  private async writeAcks(instanceId: string): Promise<void> {
    let written = -1;
    let covered = 0;
    try {
      for (let target = this.ackTarget.get(instanceId)!; target > written; target = this.ackTarget.get(instanceId)!) {
        await this.delay(instanceId, covered >= ACK_BUSY_EVENTS ? ACK_BUSY_DELAY_MS : ACK_DELAY_MS);
        target = this.ackTarget.get(instanceId)!;
        await this.cursors.ack(instanceId, target);
        covered = written < 0 ? 0 : target - written;
        written = target;
      }
    } catch (error) {
      this.logger.error({ err: error, instanceId }, 'storing an ack failed; the events will be redelivered');
    } finally {
      this.ackWrites.delete(instanceId);
      this.ackTarget.delete(instanceId);
      this.ackWaits.delete(instanceId);
      this.ackUrgent.delete(instanceId);
    }
  }

  private async delay(instanceId: string, ms: number): Promise<void> {
    if (this.ackUrgent.has(instanceId)) return;
    const wait = new DeadlineWait(performance.now() + ms, ACK_GRACE_MS);
    this.ackWaits.set(instanceId, wait);
    await wait.done;
    this.ackWaits.delete(instanceId);
  }
}
