import { MigrationInterface, QueryRunner } from 'typeorm';

/** Several nodes on one PostgreSQL: their heartbeats, and which connection owns each instance's bridge socket. */
export class ChannelOwners1796000000001 implements MigrationInterface {
  name = 'ChannelOwners1796000000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "ryzeapi_nodes" (
      "node_id" character varying(64) PRIMARY KEY,
      "listener_pid" integer,
      "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
    )`);
    // Epochs come from one sequence, so they only grow, even across a released or forgotten owner row.
    await queryRunner.query(`CREATE SEQUENCE "chatwoot_channel_epoch_seq"`);
    await queryRunner.query(`CREATE TABLE "chatwoot_channel_owners" (
      "instance_id" uuid PRIMARY KEY REFERENCES "instances" ("id") ON DELETE CASCADE,
      "node_id" character varying(64) NOT NULL,
      "connection_id" uuid NOT NULL,
      "epoch" bigint NOT NULL,
      "claimed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
    )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "chatwoot_channel_owners"`);
    await queryRunner.query(`DROP SEQUENCE "chatwoot_channel_epoch_seq"`);
    await queryRunner.query(`DROP TABLE "ryzeapi_nodes"`);
  }
}
