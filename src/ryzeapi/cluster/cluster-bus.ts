import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { ClusterPool } from './cluster-pool.js';

const CHANNEL = 'ryzeapi_cluster';
const RETRY_MS = { first: 250, max: 5000 };

/** What nodes tell each other (a few dozen bytes each: which instance, up to which seq or epoch). */
export type ClusterMessage =
  | { kind: 'events'; instance: string; seq: number }
  | { kind: 'owner'; instance: string; epoch: number; previousNode: string | null }
  | { kind: 'released'; instance: string; epoch: number }
  | { kind: 'deleted'; instance: string };

type Envelope = ClusterMessage & { from: string };

/**
 * PostgreSQL LISTEN/NOTIFY between nodes, on a connection of its own. When that connection breaks
 * it is opened again, and the `reconnected` handlers run: notifications sent meanwhile are lost,
 * so they catch up from the tables (the outbox, the ownership records). A node's own messages are
 * not handed back to it. Nothing at all happens on the embedded database (one node).
 */
@Injectable()
export class ClusterBus implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClusterBus.name);
  private readonly handlers: ((message: ClusterMessage) => void)[] = [];
  private readonly reconnectHandlers: (() => void)[] = [];
  private client?: pg.Client;
  private stopped = false;
  private retryMs = RETRY_MS.first;
  private retry?: NodeJS.Timeout;
  /** The listening session's backend pid: the node is alive while it exists (NodeRegistry). */
  listenerPid?: number;

  constructor(
    private readonly pool: ClusterPool,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onMessage(handler: (message: ClusterMessage) => void): void {
    this.handlers.push(handler);
  }

  onReconnected(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.pool.clustered) await this.listen(false);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  async publish(message: ClusterMessage): Promise<void> {
    if (!this.pool.clustered) return;
    await this.db.query(`SELECT pg_notify($1, $2)`, [CHANNEL, JSON.stringify({ ...message, from: this.pool.nodeId })]);
  }

  /** Breaks the listening connection (tests: a lost connection and its notifications). */
  async dropListener(): Promise<void> {
    await this.client?.end();
  }

  private async listen(again: boolean): Promise<void> {
    const client = this.pool.client();
    this.client = client;
    client.on('error', (error) => this.logger.warn({ reason: error.message }, 'cluster listener connection failed'));
    client.on('end', () => this.client === client && this.reconnectLater());
    client.on('notification', ({ payload }) => payload && this.deliver(payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listenerPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'cluster listener could not connect; retrying');
      await client.end().catch(() => undefined);
      this.reconnectLater();
      return;
    }
    this.retryMs = RETRY_MS.first;
    if (again) {
      this.logger.log('cluster listener reconnected: catching up from the database');
      this.reconnectHandlers.forEach((handler) => handler());
    }
  }

  private reconnectLater(): void {
    clearTimeout(this.retry);
    if (this.stopped) return;
    this.listenerPid = undefined;
    this.retry = setTimeout(() => void this.listen(true), this.retryMs).unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MS.max);
  }

  private deliver(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (envelope.from === this.pool.nodeId) return;
    for (const handler of this.handlers) {
      try {
        handler(envelope);
      } catch (error) {
        this.logger.error({ err: error }, 'cluster message handler failed');
      }
    }
  }
}
