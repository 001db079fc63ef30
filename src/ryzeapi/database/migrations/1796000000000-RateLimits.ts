import { MigrationInterface, QueryRunner } from 'typeorm';

/** rate-limiter-flexible's PostgreSQL store (its own schema; `tableCreated: true` keeps it from creating it). */
export class RateLimits1796000000000 implements MigrationInterface {
  name = 'RateLimits1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rate_limits" ("key" character varying(255) PRIMARY KEY, "points" integer NOT NULL DEFAULT 0, "expire" bigint)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "rate_limits"`);
  }
}
