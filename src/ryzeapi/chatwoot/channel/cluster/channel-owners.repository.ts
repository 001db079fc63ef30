import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface Claim {
  epoch: number;
  /** The node that owned the instance before this claim, if any. */
  previousNode: string | null;
}

/** `chatwoot_channel_owners`: which node and connection own each instance's bridge socket, and since which epoch. */
@Injectable()
export class ChannelOwnersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Makes `connectionId` the owner; the epoch grows by one per claim, so the newest claim wins everywhere. */
  async claim(instanceId: string, nodeId: string, connectionId: string): Promise<Claim> {
    const [row] = await this.db.query(
      `WITH previous AS (SELECT node_id FROM chatwoot_channel_owners WHERE instance_id = $1 FOR UPDATE)
       INSERT INTO chatwoot_channel_owners AS o (instance_id, node_id, connection_id, epoch) VALUES ($1, $2, $3, 1)
       ON CONFLICT (instance_id) DO UPDATE SET node_id = EXCLUDED.node_id, connection_id = EXCLUDED.connection_id, epoch = o.epoch + 1, claimed_at = now()
       RETURNING o.epoch, (SELECT node_id FROM previous) AS previous_node`,
      [instanceId, nodeId, connectionId],
    );
    return { epoch: Number(row.epoch), previousNode: row.previous_node ?? null };
  }

  async release(instanceId: string, connectionId: string): Promise<void> {
    await this.db.query(`DELETE FROM chatwoot_channel_owners WHERE instance_id = $1 AND connection_id = $2`, [instanceId, connectionId]);
  }

  async forget(instanceId: string): Promise<void> {
    await this.db.query(`DELETE FROM chatwoot_channel_owners WHERE instance_id = $1`, [instanceId]);
  }

  /** The owning connection and epoch of each of these instances (absent: no owner). */
  async owners(instanceIds: string[]): Promise<Map<string, { connection: string; epoch: number }>> {
    const rows: { instance_id: string; connection_id: string; epoch: string }[] = await this.db.query(
      `SELECT instance_id, connection_id, epoch FROM chatwoot_channel_owners WHERE instance_id = ANY($1::uuid[])`,
      [instanceIds],
    );
    return new Map(rows.map((r) => [r.instance_id, { connection: r.connection_id, epoch: Number(r.epoch) }]));
  }
}
