import { MigrationInterface, QueryRunner } from "typeorm";

export class EnforcerState1764500000000 implements MigrationInterface {
    name = 'EnforcerState1764500000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "enforcer_leases" ("node" varchar(63) PRIMARY KEY NOT NULL, "holder" varchar(200) NOT NULL, "pid" integer NOT NULL, "version" varchar(32) NOT NULL DEFAULT (''), "acquired_at" bigint NOT NULL, "renewed_at" bigint NOT NULL, "expires_at" bigint NOT NULL)`);
        await queryRunner.query(`DROP INDEX "IDX_2c7ec321a083f179a30726ea5f"`);
        await queryRunner.query(`CREATE TABLE "temporary_runners" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "camera_id" integer NOT NULL, "profile_id" integer NOT NULL, "node" varchar(63) NOT NULL, "pid" integer, "process_start_time" varchar(32), "status" varchar(16) NOT NULL DEFAULT ('starting'), "started_at" datetime, "last_heartbeat_at" datetime, "effective_args" text, "spec_hash" varchar(64) NOT NULL DEFAULT (''), "restart_count" integer NOT NULL DEFAULT (0), "last_exit_code" integer, "last_exit_signal" varchar(16), "last_error" text NOT NULL DEFAULT (''), "camera_fps" float, "processed_fps" float, "target_fps" float, "snapshot_every" integer, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), "crash_count" integer NOT NULL DEFAULT (0), "last_exit_at" datetime, CONSTRAINT "uq_runners_pair_node" UNIQUE ("camera_id", "profile_id", "node"), CONSTRAINT "FK_2c7ec321a083f179a30726ea5f1" FOREIGN KEY ("profile_id") REFERENCES "stream_profiles" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_c57d5338029ea42866ee402dcac" FOREIGN KEY ("camera_id") REFERENCES "cameras" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_runners"("id", "camera_id", "profile_id", "node", "pid", "process_start_time", "status", "started_at", "last_heartbeat_at", "effective_args", "spec_hash", "restart_count", "last_exit_code", "last_exit_signal", "last_error", "camera_fps", "processed_fps", "target_fps", "snapshot_every", "created_at", "updated_at") SELECT "id", "camera_id", "profile_id", "node", "pid", "process_start_time", "status", "started_at", "last_heartbeat_at", "effective_args", "spec_hash", "restart_count", "last_exit_code", "last_exit_signal", "last_error", "camera_fps", "processed_fps", "target_fps", "snapshot_every", "created_at", "updated_at" FROM "runners"`);
        await queryRunner.query(`DROP TABLE "runners"`);
        await queryRunner.query(`ALTER TABLE "temporary_runners" RENAME TO "runners"`);
        await queryRunner.query(`CREATE INDEX "IDX_2c7ec321a083f179a30726ea5f" ON "runners" ("profile_id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_2c7ec321a083f179a30726ea5f"`);
        await queryRunner.query(`ALTER TABLE "runners" RENAME TO "temporary_runners"`);
        await queryRunner.query(`CREATE TABLE "runners" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "camera_id" integer NOT NULL, "profile_id" integer NOT NULL, "node" varchar(63) NOT NULL, "pid" integer, "process_start_time" varchar(32), "status" varchar(16) NOT NULL DEFAULT ('starting'), "started_at" datetime, "last_heartbeat_at" datetime, "effective_args" text, "spec_hash" varchar(64) NOT NULL DEFAULT (''), "restart_count" integer NOT NULL DEFAULT (0), "last_exit_code" integer, "last_exit_signal" varchar(16), "last_error" text NOT NULL DEFAULT (''), "camera_fps" float, "processed_fps" float, "target_fps" float, "snapshot_every" integer, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "uq_runners_pair_node" UNIQUE ("camera_id", "profile_id", "node"), CONSTRAINT "FK_2c7ec321a083f179a30726ea5f1" FOREIGN KEY ("profile_id") REFERENCES "stream_profiles" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_c57d5338029ea42866ee402dcac" FOREIGN KEY ("camera_id") REFERENCES "cameras" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "runners"("id", "camera_id", "profile_id", "node", "pid", "process_start_time", "status", "started_at", "last_heartbeat_at", "effective_args", "spec_hash", "restart_count", "last_exit_code", "last_exit_signal", "last_error", "camera_fps", "processed_fps", "target_fps", "snapshot_every", "created_at", "updated_at") SELECT "id", "camera_id", "profile_id", "node", "pid", "process_start_time", "status", "started_at", "last_heartbeat_at", "effective_args", "spec_hash", "restart_count", "last_exit_code", "last_exit_signal", "last_error", "camera_fps", "processed_fps", "target_fps", "snapshot_every", "created_at", "updated_at" FROM "temporary_runners"`);
        await queryRunner.query(`DROP TABLE "temporary_runners"`);
        await queryRunner.query(`CREATE INDEX "IDX_2c7ec321a083f179a30726ea5f" ON "runners" ("profile_id") `);
        await queryRunner.query(`DROP TABLE "enforcer_leases"`);
    }

}
