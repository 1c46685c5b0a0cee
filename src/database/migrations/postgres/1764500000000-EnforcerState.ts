import { MigrationInterface, QueryRunner } from "typeorm";

export class EnforcerState1764500000000 implements MigrationInterface {
    name = 'EnforcerState1764500000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "enforcer_leases" ("node" character varying(63) NOT NULL, "holder" character varying(200) NOT NULL, "pid" integer NOT NULL, "version" character varying(32) NOT NULL DEFAULT '', "acquired_at" bigint NOT NULL, "renewed_at" bigint NOT NULL, "expires_at" bigint NOT NULL, CONSTRAINT "PK_8c71be3f53ac335389acd46e3f0" PRIMARY KEY ("node"))`);
        await queryRunner.query(`ALTER TABLE "runners" ADD "crash_count" integer NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE "runners" ADD "last_exit_at" TIMESTAMP WITH TIME ZONE`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "runners" DROP COLUMN "last_exit_at"`);
        await queryRunner.query(`ALTER TABLE "runners" DROP COLUMN "crash_count"`);
        await queryRunner.query(`DROP TABLE "enforcer_leases"`);
    }

}
