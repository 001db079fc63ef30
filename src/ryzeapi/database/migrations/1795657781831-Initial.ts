import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1795657781831 implements MigrationInterface {
    name = 'Initial1795657781831'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "accounts" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" character varying(100) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_5a7a02c20412299d198e097a8fe" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "instances" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "account_id" uuid NOT NULL,
                "name" character varying(64) NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'disconnected',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_11862209053330b4765f7f54178" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_3eb8e609b23c1619932c83a822" ON "instances" ("account_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_964ee0f13b02a3a85ef0196067" ON "instances" ("name")
        `);
        await queryRunner.query(`
            CREATE TABLE "api_tokens" (
                "hash" character(64) NOT NULL,
                "account_id" uuid NOT NULL,
                "instance_id" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_1bf385c40e1d7ff26da4401c7fc" PRIMARY KEY ("hash")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_5c25c1f4973320571027bfc1c1" ON "api_tokens" ("account_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_db727344d536b4ece531031bbc" ON "api_tokens" ("instance_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "chatwoot_integrations" (
                "instance_id" uuid NOT NULL,
                "bridge_integration_id" character varying(128) NOT NULL,
                "chatwoot_base_url" character varying(2048) NOT NULL,
                "chatwoot_account_id" integer NOT NULL,
                "chatwoot_api_token" text NOT NULL,
                "chatwoot_inbox_id" integer NOT NULL DEFAULT '0',
                "chatwoot_inbox_name" character varying(255) NOT NULL,
                "sign_messages" boolean NOT NULL DEFAULT false,
                "ignore_groups" boolean NOT NULL DEFAULT false,
                "start_as_pending" boolean NOT NULL DEFAULT false,
                "reopen_resolved" boolean NOT NULL DEFAULT false,
                "status" character varying(16) NOT NULL DEFAULT 'active',
                "last_error" text NOT NULL DEFAULT '',
                "last_seq" bigint NOT NULL DEFAULT '0',
                "last_acked_seq" bigint NOT NULL DEFAULT '0',
                "dropped_events" bigint NOT NULL DEFAULT '0',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_449c0f6342fd1f25ee9aae68509" PRIMARY KEY ("instance_id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "chatwoot_commands" (
                "instance_id" uuid NOT NULL,
                "command_id" character varying(128) NOT NULL,
                "result" jsonb,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_2f498f8ce7f640f35e05ca6e2ef" PRIMARY KEY ("instance_id", "command_id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_d38df9308e8c3c140e37564d8a" ON "chatwoot_commands" ("created_at")
        `);
        await queryRunner.query(`
            CREATE TABLE "chatwoot_events" (
                "instance_id" uuid NOT NULL,
                "seq" bigint NOT NULL,
                "event" character varying(32) NOT NULL,
                "data" jsonb NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_c0eddf8122c2b0579d0bf0679c1" PRIMARY KEY ("instance_id", "seq")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "sandbox_messages" (
                "seq" BIGSERIAL NOT NULL,
                "message_id" character varying(64) NOT NULL,
                "instance_id" uuid NOT NULL,
                "direction" character varying(8) NOT NULL,
                "chat_jid" character varying(128) NOT NULL,
                "text" text,
                "media" jsonb,
                "source" character varying(16) NOT NULL,
                "command_id" character varying(128),
                "reply_to" character varying(128),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_9a266538c34e3df90585be7849f" PRIMARY KEY ("seq")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_f6069b8869919732326ea37e4f" ON "sandbox_messages" ("message_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_9f876b5a75fbdb16bac3139a10" ON "sandbox_messages" ("instance_id", "direction", "seq")
        `);
        await queryRunner.query(`
            ALTER TABLE "instances"
            ADD CONSTRAINT "FK_3eb8e609b23c1619932c83a8229" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "api_tokens"
            ADD CONSTRAINT "FK_5c25c1f4973320571027bfc1c14" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "api_tokens"
            ADD CONSTRAINT "FK_db727344d536b4ece531031bbc9" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "chatwoot_integrations"
            ADD CONSTRAINT "FK_449c0f6342fd1f25ee9aae68509" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "chatwoot_commands"
            ADD CONSTRAINT "FK_52dc419f95e3cb02f7e34006965" FOREIGN KEY ("instance_id") REFERENCES "chatwoot_integrations"("instance_id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "chatwoot_events"
            ADD CONSTRAINT "FK_1cc65dba091988a9b32222d47e0" FOREIGN KEY ("instance_id") REFERENCES "chatwoot_integrations"("instance_id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "sandbox_messages"
            ADD CONSTRAINT "FK_c8157f37a4e2f7893b00f9f698d" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "sandbox_messages" DROP CONSTRAINT "FK_c8157f37a4e2f7893b00f9f698d"
        `);
        await queryRunner.query(`
            ALTER TABLE "chatwoot_events" DROP CONSTRAINT "FK_1cc65dba091988a9b32222d47e0"
        `);
        await queryRunner.query(`
            ALTER TABLE "chatwoot_commands" DROP CONSTRAINT "FK_52dc419f95e3cb02f7e34006965"
        `);
        await queryRunner.query(`
            ALTER TABLE "chatwoot_integrations" DROP CONSTRAINT "FK_449c0f6342fd1f25ee9aae68509"
        `);
        await queryRunner.query(`
            ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_db727344d536b4ece531031bbc9"
        `);
        await queryRunner.query(`
            ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_5c25c1f4973320571027bfc1c14"
        `);
        await queryRunner.query(`
            ALTER TABLE "instances" DROP CONSTRAINT "FK_3eb8e609b23c1619932c83a8229"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_9f876b5a75fbdb16bac3139a10"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_f6069b8869919732326ea37e4f"
        `);
        await queryRunner.query(`
            DROP TABLE "sandbox_messages"
        `);
        await queryRunner.query(`
            DROP TABLE "chatwoot_events"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_d38df9308e8c3c140e37564d8a"
        `);
        await queryRunner.query(`
            DROP TABLE "chatwoot_commands"
        `);
        await queryRunner.query(`
            DROP TABLE "chatwoot_integrations"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_db727344d536b4ece531031bbc"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_5c25c1f4973320571027bfc1c1"
        `);
        await queryRunner.query(`
            DROP TABLE "api_tokens"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_964ee0f13b02a3a85ef0196067"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_3eb8e609b23c1619932c83a822"
        `);
        await queryRunner.query(`
            DROP TABLE "instances"
        `);
        await queryRunner.query(`
            DROP TABLE "accounts"
        `);
    }

}
