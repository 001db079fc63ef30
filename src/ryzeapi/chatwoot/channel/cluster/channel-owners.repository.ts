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

  /**
   * Makes `connectionId` the owner with a new epoch (from a sequence: the newest claim wins
   * everywhere, even after the row was released), and names the node it takes over from. Two first
   * claims at once: the one whose insert loses reads the winner's row and takes over from it.
   */
  async claim(instanceId: string, nodeId: string, connectionId: string): Promise<Claim> {
    return this.db.transaction(async (tx) => {
      for (;;) {
        const [previous] = await tx.query(`SELECT node_id FROM chatwoot_channel_owners WHERE instance_id = $1 FOR UPDATE`, [instanceId]);
        // An upsert in both cases (TypeORM answers a plain UPDATE with [rows, count], not rows).
        const [row] = await tx.query(
          `INSERT INTO chatwoot_channel_owners AS o (instance_id, node_id, connection_id, epoch) VALUES ($1, $2, $3, nextval('chatwoot_channel_epoch_seq'))
            ON CONFLICT (instance_id) DO ${previous ? `UPDATE SET node_id = EXCLUDED.node_id, connection_id = EXCLUDED.connection_id, epoch = EXCLUDED.epoch, claimed_at = now()` : 'NOTHING'}
            RETURNING o.epoch`,
          [instanceId, nodeId, connectionId],
        );
        if (row) return { epoch: Number(row.epoch), previousNode: (previous?.node_id as string | undefined) ?? null };
      }
    });
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
