import { MigrationInterface, QueryRunner } from "typeorm";

export class BridgeInitial1795852246709 implements MigrationInterface {
    name = 'BridgeInitial1795852246709'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "bridge_integrations" (
                "id" character varying(64) NOT NULL,
                "instance" character varying(64) NOT NULL,
                "ryzeapi_base_url" character varying(2048) NOT NULL,
                "ryzeapi_ws_url" character varying(2048) NOT NULL,
                "chatwoot_base_url" character varying(2048) NOT NULL,
                "chatwoot_account_id" integer NOT NULL,
                "chatwoot_api_token" text NOT NULL,
                "inbox_id" integer NOT NULL DEFAULT '0',
                "inbox_name" character varying(255) NOT NULL,
                "sign_messages" boolean NOT NULL DEFAULT false,
                "ignore_groups" boolean NOT NULL DEFAULT false,
                "start_as_pending" boolean NOT NULL DEFAULT false,
                "reopen_resolved" boolean NOT NULL DEFAULT false,
                "webhook_secret" character varying(64) NOT NULL,
                "webhook_signing_secret" text,
                "problem" character varying(16) NOT NULL DEFAULT '',
                "last_error" text NOT NULL DEFAULT '',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_29ab4d7588a811feabccb40acb1" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "bridge_chats" (
                "integration_id" character varying(64) NOT NULL,
                "jid" character varying(128) NOT NULL,
                "contact_id" integer NOT NULL,
                "contact_source_id" character varying(255) NOT NULL DEFAULT '',
                "conversation_id" integer NOT NULL DEFAULT '0',
                CONSTRAINT "PK_85625ef405cfce325920fe8ed80" PRIMARY KEY ("integration_id", "jid")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_66aef658556366fd5177fd2e4f" ON "bridge_chats" ("integration_id", "conversation_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "bridge_message_links" (
                "integration_id" character varying(64) NOT NULL,
                "whatsapp_id" character varying(128) NOT NULL,
                "chatwoot_message_id" integer NOT NULL DEFAULT '0',
                "conversation_id" integer NOT NULL DEFAULT '0',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_9134e6e2ccc3e4bbe07cd431939" PRIMARY KEY ("integration_id", "whatsapp_id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_970cbaee11fd1403746054ae74" ON "bridge_message_links" ("integration_id", "chatwoot_message_id")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."IDX_970cbaee11fd1403746054ae74"
        `);
        await queryRunner.query(`
            DROP TABLE "bridge_message_links"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_66aef658556366fd5177fd2e4f"
        `);
        await queryRunner.query(`
            DROP TABLE "bridge_chats"
        `);
        await queryRunner.query(`
            DROP TABLE "bridge_integrations"
        `);
    }

}
