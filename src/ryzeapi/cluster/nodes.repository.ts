import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The nodes' heartbeats (table `ryzeapi_nodes`). */
@Injectable()
export class NodesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async beat(nodeId: string, listenerPid: number | null): Promise<void> {
    await this.db.query(
      `INSERT INTO ryzeapi_nodes (node_id, listener_pid, heartbeat_at) VALUES ($1, $2, now())
       ON CONFLICT (node_id) DO UPDATE SET listener_pid = EXCLUDED.listener_pid, heartbeat_at = now()`,
      [nodeId, listenerPid],
    );
  }

  async remove(nodeId: string): Promise<void> {
    await this.db.query(`DELETE FROM ryzeapi_nodes WHERE node_id = $1`, [nodeId]);
  }

  /**
   * True while the node's heartbeat is younger than ttlMs and the listening session it named still
   * exists (its application_name is `ryzeapi:<node>`); with no listener pid (its listener is
   * reconnecting) the heartbeat alone tells.
   */
  async alive(nodeId: string, ttlMs: number): Promise<boolean> {
    const [row] = await this.db.query<{ alive: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM ryzeapi_nodes n
                       WHERE n.node_id = $1 AND n.heartbeat_at > now() - $2 * interval '1 millisecond'
                         AND (n.listener_pid IS NULL OR EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = n.listener_pid AND a.application_name = $3))) AS alive`,
      [nodeId, ttlMs, `ryzeapi:${nodeId}`],
    );
    return row.alive;
  }
}
