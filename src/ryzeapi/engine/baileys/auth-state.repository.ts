import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TokenCipher } from '../../../shared/crypto/token-cipher.js';

export interface AuthStateWrite {
  category: string;
  id: string;
  /** Serialized value, or null to delete it. */
  value: string | null;
}

/** Baileys sessions in `whatsapp_auth_state`; values are encrypted here and never leave it in clear except to the caller. */
@Injectable()
export class AuthStateRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cipher: TokenCipher,
  ) {}

  async read(instanceId: string, category: string, ids: string[]): Promise<Map<string, string>> {
    const rows: { key_id: string; value: string }[] = await this.db.query(
      `SELECT key_id, value FROM whatsapp_auth_state WHERE instance_id = $1 AND category = $2 AND key_id = ANY($3::text[])`,
      [instanceId, category, ids],
    );
    return new Map(rows.map((r) => [r.key_id, this.cipher.decrypt(r.value)]));
  }

  /** Writes a batch of values in one statement: all of it is stored or none (PostgreSQL and PGlite alike). */
  async write(instanceId: string, writes: AuthStateWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const removed = writes.filter((w) => w.value === null).map((w) => [w.category, w.id]);
    const upserted = writes.filter((w) => w.value !== null).map((w) => [w.category, w.id, this.cipher.encrypt(w.value!)]);
    await this.db.query(
      `WITH d AS (DELETE FROM whatsapp_auth_state s USING jsonb_array_elements($2::jsonb) x
                   WHERE s.instance_id = $1 AND s.category = x->>0 AND s.key_id = x->>1),
            u AS (INSERT INTO whatsapp_auth_state (instance_id, category, key_id, value)
                  SELECT $1, x->>0, x->>1, x->>2 FROM jsonb_array_elements($3::jsonb) x
                  ON CONFLICT (instance_id, category, key_id) DO UPDATE SET value = EXCLUDED.value, updated_at = now())
       SELECT 1`,
      [instanceId, JSON.stringify(removed), JSON.stringify(upserted)],
    );
  }

  async delete(instanceId: string): Promise<void> {
    await this.db.query(`DELETE FROM whatsapp_auth_state WHERE instance_id = $1`, [instanceId]);
  }

  /** Every stored session, with its credentials to decrypt one by one: the engine resumes the paired ones at start. */
  async allCredentials(): Promise<{ instanceId: string; name: string; creds: () => string }[]> {
    const rows: { instance_id: string; name: string; value: string }[] = await this.db.query(
      `SELECT s.instance_id, i.name, s.value FROM whatsapp_auth_state s JOIN instances i ON i.id = s.instance_id
        WHERE s.category = 'creds' ORDER BY i.name`,
    );
    return rows.map((r) => ({ instanceId: r.instance_id, name: r.name, creds: () => this.cipher.decrypt(r.value) }));
  }
}
