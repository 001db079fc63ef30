import { MigrationInterface, QueryRunner } from "typeorm";

export class BridgeCommands1795853841292 implements MigrationInterface {
    name = 'BridgeCommands1795853841292'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "bridge_commands" (
                "integration_id" character varying(64) NOT NULL,
                "id" character varying(128) NOT NULL,
                "position" BIGSERIAL NOT NULL,
                "conversation_id" integer NOT NULL,
                "chatwoot_message_id" integer NOT NULL,
                "frame" jsonb NOT NULL,
                "state" character varying(16) NOT NULL DEFAULT 'pending',
                "error" text NOT NULL DEFAULT '',
                "whatsapp_id" character varying(128) NOT NULL DEFAULT '',
                "status_error_noted" boolean NOT NULL DEFAULT false,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_58420bcf6fc84fb2d4e3c664622" PRIMARY KEY ("integration_id", "id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_bb93115e1872d4f63d6dba77db" ON "bridge_commands" ("integration_id", "whatsapp_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "IDX_c5b54e22146b2509ddb8657c43" ON "bridge_commands" ("integration_id", "state")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."IDX_c5b54e22146b2509ddb8657c43"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."IDX_bb93115e1872d4f63d6dba77db"
        `);
        await queryRunner.query(`
            DROP TABLE "bridge_commands"
        `);
    }

}
