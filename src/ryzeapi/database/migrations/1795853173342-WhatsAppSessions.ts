import { MigrationInterface, QueryRunner } from "typeorm";

export class WhatsAppSessions1795853173342 implements MigrationInterface {
    name = 'WhatsAppSessions1795853173342'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "whatsapp_auth_state" (
                "instance_id" uuid NOT NULL,
                "category" character varying(32) NOT NULL,
                "key_id" character varying(255) NOT NULL,
                "value" text NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_a377675c5b8eaeac65dcb21a8ee" PRIMARY KEY ("instance_id", "category", "key_id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "whatsapp_messages" (
                "instance_id" uuid NOT NULL,
                "message_id" character varying(128) NOT NULL,
                "payload" text,
                "status" character varying(16),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_4ea229055db9dc6e5807aa96c19" PRIMARY KEY ("instance_id", "message_id")
            )
        `);
        await queryRunner.query(`
            ALTER TABLE "whatsapp_auth_state"
            ADD CONSTRAINT "FK_538a88ea005799434dcac117db0" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "whatsapp_messages"
            ADD CONSTRAINT "FK_492298ca0bcb11139e2370a0085" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "whatsapp_messages" DROP CONSTRAINT "FK_492298ca0bcb11139e2370a0085"
        `);
        await queryRunner.query(`
            ALTER TABLE "whatsapp_auth_state" DROP CONSTRAINT "FK_538a88ea005799434dcac117db0"
        `);
        await queryRunner.query(`
            DROP TABLE "whatsapp_messages"
        `);
        await queryRunner.query(`
            DROP TABLE "whatsapp_auth_state"
        `);
    }

}
