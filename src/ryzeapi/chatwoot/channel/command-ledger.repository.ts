import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { InstanceRef } from '../../engine/engine.types.js';

/**
 * `chatwoot_commands`: the bridge's `send` ids claimed before their message goes out, with the
 * first result stored to be repeated for any later copy.
 */
@Injectable()
export class CommandLedgerRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Claims a command id; false when it was claimed before (its stored result, if any, is returned). */
  async claim(instanceId: string, commandId: string): Promise<{ claimed: true } | { claimed: false; result: Record<string, unknown> | null }> {
    const inserted = await this.db.query(
      `INSERT INTO chatwoot_commands (instance_id, command_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [instanceId, commandId],
    );
    if (inserted.length) return { claimed: true };
    const [row] = await this.db.query(`SELECT result FROM chatwoot_commands WHERE instance_id = $1 AND command_id = $2`, [instanceId, commandId]);
    return { claimed: false, result: row?.result ?? null };
  }

  async complete(instanceId: string, commandId: string, result: Record<string, unknown>): Promise<void> {
    await this.db.query(`UPDATE chatwoot_commands SET result = $3 WHERE instance_id = $1 AND command_id = $2`, [instanceId, commandId, JSON.stringify(result)]);
  }

  /** Claimed commands without a stored result: under way, or cut off by a crash. */
  unfinished(): Promise<{ instance: InstanceRef; commandId: string }[]> {
    return this.db
      .query(`SELECT i.id, i.name, c.command_id FROM chatwoot_commands c JOIN instances i ON i.id = c.instance_id WHERE c.result IS NULL`)
      .then((rows: { id: string; name: string; command_id: string }[]) => rows.map((r) => ({ instance: { id: r.id, name: r.name }, commandId: r.command_id })));
  }

  /** Forgets a claim whose send never reached WhatsApp, so that a retry may run it. */
  async release(instanceId: string, commandId: string): Promise<void> {
    await this.db.query(`DELETE FROM chatwoot_commands WHERE instance_id = $1 AND command_id = $2 AND result IS NULL`, [instanceId, commandId]);
  }

  /** Forgets the commands older than maxAgeMs (as the outbox retention drops events). */
  async prune(maxAgeMs: number): Promise<void> {
    await this.db.query(`DELETE FROM chatwoot_commands WHERE created_at < now() - $1 * interval '1 millisecond'`, [maxAgeMs]);
  }
}
