import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { preparedQuery } from '../../../shared/database/prepared-query.js';

export interface ChannelCursor {
  integrationId: string;
  ignoreGroups: boolean;
  signMessages: boolean;
  lastSeq: number;
  lastAckedSeq: number;
}

/**
 * Each instance's channel cursor in `chatwoot_integrations`: the settings the channel reads, the
 * last seq stored and the last one acknowledged.
 */
@Injectable()
export class ChannelCursorsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async cursor(instanceId: string): Promise<ChannelCursor | null> {
    const [row] = await this.db.query(
      `SELECT bridge_integration_id, ignore_groups, sign_messages, last_seq, last_acked_seq FROM chatwoot_integrations WHERE instance_id = $1`,
      [instanceId],
    );
    return row
      ? { integrationId: row.bridge_integration_id, ignoreGroups: row.ignore_groups, signMessages: row.sign_messages, lastSeq: Number(row.last_seq), lastAckedSeq: Number(row.last_acked_seq) }
      : null;
  }

  /**
   * Moves the acknowledged cursor forward (never back) and deletes what it covers. Only seqs above
   * the previous cursor are looked at (those below were deleted with it): a delete from the start
   * of the index walks every dead entry earlier acks left, which PGlite never vacuums.
   */
  async ack(instanceId: string, seq: number): Promise<void> {
    await preparedQuery(
      this.db,
      'channel_ack',
      `WITH o AS (SELECT last_acked_seq FROM chatwoot_integrations WHERE instance_id = $1),
            c AS (UPDATE chatwoot_integrations SET last_acked_seq = GREATEST(last_acked_seq, LEAST($2::bigint, last_seq))
                   WHERE instance_id = $1 RETURNING last_acked_seq)
       DELETE FROM chatwoot_events
        WHERE instance_id = $1 AND seq > (SELECT last_acked_seq FROM o) AND seq <= (SELECT last_acked_seq FROM c)`,
      [instanceId, seq],
    );
  }
}
