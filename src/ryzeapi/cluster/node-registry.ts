import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ClusterBus } from './cluster-bus.js';
import { ClusterPool } from './cluster-pool.js';

export const NODE_HEARTBEAT_MS = 2000;
/** A node whose heartbeat is older than this is dead: what it owned may be taken. */
export const NODE_TTL_MS = 10_000;

/**
 * This node's heartbeat in `ryzeapi_nodes`. Another node is alive while its heartbeat is fresh and
 * its listening session still exists (a killed process's session ends at once, so a SIGKILL is
 * seen within a round trip, not a TTL). A node that cannot write its heartbeat for half the TTL
 * stops serving what it owns (`onFenced`), since the others will soon take it.
 */
@Injectable()
export class NodeRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NodeRegistry.name);
  private readonly fencedHandlers: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private lastBeat = Date.now();

  constructor(
    private readonly pool: ClusterPool,
    private readonly bus: ClusterBus,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onFenced(handler: () => void): void {
    this.fencedHandlers.push(handler);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.pool.clustered) return;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), NODE_HEARTBEAT_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.pool.clustered) await this.db.query(`DELETE FROM ryzeapi_nodes WHERE node_id = $1`, [this.pool.nodeId]).catch(() => undefined);
  }

  async alive(nodeId: string): Promise<boolean> {
    const [row] = await this.db.query(
      // No listener pid: its listener is reconnecting; the heartbeat alone tells then.
      `SELECT EXISTS (SELECT 1 FROM ryzeapi_nodes n
                       WHERE n.node_id = $1 AND n.heartbeat_at > now() - $2 * interval '1 millisecond'
                         AND (n.listener_pid IS NULL OR EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = n.listener_pid AND a.application_name = $3))) AS alive`,
      [nodeId, NODE_TTL_MS, `ryzeapi:${nodeId}`],
    );
    return row.alive;
  }

  private async beat(): Promise<void> {
    try {
      await this.db.query(
        `INSERT INTO ryzeapi_nodes (node_id, listener_pid, heartbeat_at) VALUES ($1, $2, now())
         ON CONFLICT (node_id) DO UPDATE SET listener_pid = EXCLUDED.listener_pid, heartbeat_at = now()`,
        [this.pool.nodeId, this.bus.listenerPid ?? null],
      );
      this.lastBeat = Date.now();
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'node heartbeat failed');
      if (Date.now() - this.lastBeat > NODE_TTL_MS / 2) {
        this.logger.error('no heartbeat for half the node TTL: closing this node\'s bridge sockets');
        this.fencedHandlers.forEach((handler) => handler());
      }
    }
  }
}
