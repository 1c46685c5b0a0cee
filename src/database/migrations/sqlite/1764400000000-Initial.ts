import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1764400000000 implements MigrationInterface {
    name = 'Initial1764400000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "cameras" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(100) NOT NULL, "rtsp_url" varchar(2048) NOT NULL, "location" varchar(200) NOT NULL DEFAULT (''), "is_active" boolean NOT NULL DEFAULT (1), "pause_until" datetime, "rtsp_transport" varchar(8) NOT NULL DEFAULT ('auto'), "hb_interval" integer NOT NULL DEFAULT (10), "snapshot_every" integer NOT NULL DEFAULT (3), "prefer_camera_over_profile" boolean NOT NULL DEFAULT (0), "target_fps_req" float, "det_set_req" varchar(8), "node" varchar(63), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_742535db289ee166637d50e9564" UNIQUE ("name"))`);
        await queryRunner.query(`CREATE TABLE "enforcer_events" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ts" datetime NOT NULL, "node" varchar(63) NOT NULL, "kind" varchar(16) NOT NULL, "camera_id" integer, "profile_id" integer, "pid" integer, "message" text NOT NULL DEFAULT (''))`);
        await queryRunner.query(`CREATE INDEX "IDX_876a412ecfd123969311673998" ON "enforcer_events" ("ts") `);
        await queryRunner.query(`CREATE INDEX "IDX_0181fffb48cd88c53cc088d1c2" ON "enforcer_events" ("camera_id") `);
        await queryRunner.query(`CREATE TABLE "runner_heartbeats" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "camera_id" integer NOT NULL, "profile_id" integer NOT NULL, "pid" integer, "ts" datetime NOT NULL, "camera_fps" float, "processed_fps" float, "target_fps" float, "detected" integer, "matched" integer, "latency_ms" float, "last_error" text NOT NULL DEFAULT (''), "snapshot_every" integer, "min_face_px" integer)`);
        await queryRunner.query(`CREATE INDEX "IDX_2e3eeb031baf3bdd2f4fac4095" ON "runner_heartbeats" ("ts") `);
        await queryRunner.query(`CREATE INDEX "ix_runner_heartbeats_pair_ts" ON "runner_heartbeats" ("camera_id", "profile_id", "ts") `);
        await queryRunner.query(`CREATE TABLE "runners" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "camera_id" integer NOT NULL, "profile_id" integer NOT NULL, "node" varchar(63) NOT NULL, "pid" integer, "process_start_time" varchar(32), "status" varchar(16) NOT NULL DEFAULT ('starting'), "started_at" datetime, "last_heartbeat_at" datetime, "effective_args" text, "spec_hash" varchar(64) NOT NULL DEFAULT (''), "restart_count" integer NOT NULL DEFAULT (0), "last_exit_code" integer, "last_exit_signal" varchar(16), "last_error" text NOT NULL DEFAULT (''), "camera_fps" float, "processed_fps" float, "target_fps" float, "snapshot_every" integer, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "uq_runners_pair_node" UNIQUE ("camera_id", "profile_id", "node"))`);
        await queryRunner.query(`CREATE INDEX "IDX_2c7ec321a083f179a30726ea5f" ON "runners" ("profile_id") `);
        await queryRunner.query(`CREATE TABLE "resource_settings" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "camera_id" integer, "device" varchar(8), "hwaccel" varchar(8), "gpu_index" integer, "cpu_nice" integer, "cpu_affinity" varchar(64), "max_fps" float, "det_set_max" varchar(8), "is_active" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_212378198c40004237de97a5d6a" UNIQUE ("camera_id"))`);
        await queryRunner.query(`CREATE TABLE "schedule_exceptions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "policy_id" integer NOT NULL, "date" varchar(10) NOT NULL, "mode" varchar(8) NOT NULL, "start_time" varchar(8), "end_time" varchar(8), "profile_id" integer, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "uq_schedule_exceptions_policy_date" UNIQUE ("policy_id", "date"))`);
        await queryRunner.query(`CREATE INDEX "IDX_304f4ad0c2ba7e688aff3179c0" ON "schedule_exceptions" ("profile_id") `);
        await queryRunner.query(`CREATE TABLE "schedule_policies" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(100) NOT NULL, "is_enabled" boolean NOT NULL DEFAULT (1), "notes" text NOT NULL DEFAULT (''), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_9f1f3dce7a164afefc91c01214d" UNIQUE ("name"))`);
        await queryRunner.query(`CREATE TABLE "schedule_windows" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "policy_id" integer NOT NULL, "day_of_week" smallint NOT NULL, "start_time" varchar(8) NOT NULL, "end_time" varchar(8) NOT NULL, "profile_id" integer NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
        await queryRunner.query(`CREATE INDEX "IDX_445a7784fc5fb9c270346a058c" ON "schedule_windows" ("policy_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_e958af84b312718d4461ed0fc4" ON "schedule_windows" ("profile_id") `);
        await queryRunner.query(`CREATE TABLE "stream_profiles" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(100) NOT NULL, "fps" float NOT NULL DEFAULT (6), "detection_set" varchar(8) NOT NULL DEFAULT ('auto'), "rtsp_transport" varchar(8) NOT NULL DEFAULT (''), "hb_interval" integer NOT NULL DEFAULT (10), "snapshot_every" integer NOT NULL DEFAULT (3), "extra_args" text NOT NULL, "is_active" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_52bd7917722fdd9e21aab2b473f" UNIQUE ("name"))`);
        await queryRunner.query(`CREATE TABLE "schedule_policy_cameras" ("policy_id" integer NOT NULL, "camera_id" integer NOT NULL, PRIMARY KEY ("policy_id", "camera_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_8bd6a2364a9783113f205227ae" ON "schedule_policy_cameras" ("policy_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_d36bc015f4d12b0ff4094d1ba4" ON "schedule_policy_cameras" ("camera_id") `);
        await queryRunner.query(`DROP INDEX "IDX_2c7ec321a083f179a30726ea5f"`);
        await queryRunner.query(`CREATE TABLE "temporary_runners" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "camera_id" integer NOT NULL, "profile_id" integer NOT NULL, "node" varchar(63) NOT NULL, "pid" integer, "process_start_time" varchar(32), "status" varchar(16) NOT NULL DEFAULT ('starting'), "started_at" datetime, "last_heartbeat_at" datetime, "effective_args" text, "spec_hash" varchar(64) NOT NULL DEFAULT (''), "restart_count" integer NOT NULL DEFAULT (0), "last_exit_code" integer, "last_exit_signal" varchar(16), "last_error" text NOT NULL DEFAULT (''), "camera_fps" float, "processed_fps" float, "target_fps" float, "snapshot_every" integer, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "uq_runners_pair_node" UNIQUE ("camera_id", "profile_id", "node"), CONSTRAINT "FK_c57d5338029ea42866ee402dcac" FOREIGN KEY ("camera_id") REFERENCES "cameras" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_2c7ec321a083f179a30726ea5f1" FOREIGN KEY ("profile_id") REFERENCES "stream_profiles" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_runners"("id", "camera_id", "profile_id", "node", "pid", "process_start_time", "status", "started_at", "last_heartbeat_at", "effective_args", "spec_hash", "restart_count", "last_exit_code", "last_exit_signal", "last_error", "camera_fps", "processed_fps", "target_fps", "snapshot_every", "created_at", "updated_at") SELECT "id", "camera_id", "profile_id", "node", "pid", "process_start_time", "status", "started_at", "last_heartbeat_at", "effective_args", "spec_hash", "restart_count", "last_exit_code", "last_exit_signal", "last_error", "camera_fps", "processed_fps", "target_fps", "snapshot_every", "created_at", "updated_at" FROM "runners"`);
        await queryRunner.query(`DROP TABLE "runners"`);
        await queryRunner.query(`ALTER TABLE "temporary_runners" RENAME TO "runners"`);
        await queryRunner.query(`CREATE INDEX "IDX_2c7ec321a083f179a30726ea5f" ON "runners" ("profile_id") `);
        await queryRunner.query(`CREATE TABLE "temporary_resource_settings" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "camera_id" integer, "device" varchar(8), "hwaccel" varchar(8), "gpu_index" integer, "cpu_nice" integer, "cpu_affinity" varchar(64), "max_fps" float, "det_set_max" varchar(8), "is_active" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_212378198c40004237de97a5d6a" UNIQUE ("camera_id"), CONSTRAINT "FK_212378198c40004237de97a5d6a" FOREIGN KEY ("camera_id") REFERENCES "cameras" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_resource_settings"("id", "camera_id", "device", "hwaccel", "gpu_index", "cpu_nice", "cpu_affinity", "max_fps", "det_set_max", "is_active", "created_at", "updated_at") SELECT "id", "camera_id", "device", "hwaccel", "gpu_index", "cpu_nice", "cpu_affinity", "max_fps", "det_set_max", "is_active", "created_at", "updated_at" FROM "resource_settings"`);
        await queryRunner.query(`DROP TABLE "resource_settings"`);
        await queryRunner.query(`ALTER TABLE "temporary_resource_settings" RENAME TO "resource_settings"`);
        await queryRunner.query(`DROP INDEX "IDX_304f4ad0c2ba7e688aff3179c0"`);
        await queryRunner.query(`CREATE TABLE "temporary_schedule_exceptions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "policy_id" integer NOT NULL, "date" varchar(10) NOT NULL, "mode" varchar(8) NOT NULL, "start_time" varchar(8), "end_time" varchar(8), "profile_id" integer, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "uq_schedule_exceptions_policy_date" UNIQUE ("policy_id", "date"), CONSTRAINT "FK_a4bd0a379f9e198438374ea4343" FOREIGN KEY ("policy_id") REFERENCES "schedule_policies" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_304f4ad0c2ba7e688aff3179c00" FOREIGN KEY ("profile_id") REFERENCES "stream_profiles" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_schedule_exceptions"("id", "policy_id", "date", "mode", "start_time", "end_time", "profile_id", "created_at", "updated_at") SELECT "id", "policy_id", "date", "mode", "start_time", "end_time", "profile_id", "created_at", "updated_at" FROM "schedule_exceptions"`);
        await queryRunner.query(`DROP TABLE "schedule_exceptions"`);
        await queryRunner.query(`ALTER TABLE "temporary_schedule_exceptions" RENAME TO "schedule_exceptions"`);
        await queryRunner.query(`CREATE INDEX "IDX_304f4ad0c2ba7e688aff3179c0" ON "schedule_exceptions" ("profile_id") `);
        await queryRunner.query(`DROP INDEX "IDX_445a7784fc5fb9c270346a058c"`);
        await queryRunner.query(`DROP INDEX "IDX_e958af84b312718d4461ed0fc4"`);
        await queryRunner.query(`CREATE TABLE "temporary_schedule_windows" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "policy_id" integer NOT NULL, "day_of_week" smallint NOT NULL, "start_time" varchar(8) NOT NULL, "end_time" varchar(8) NOT NULL, "profile_id" integer NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_445a7784fc5fb9c270346a058c3" FOREIGN KEY ("policy_id") REFERENCES "schedule_policies" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_e958af84b312718d4461ed0fc4f" FOREIGN KEY ("profile_id") REFERENCES "stream_profiles" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_schedule_windows"("id", "policy_id", "day_of_week", "start_time", "end_time", "profile_id", "created_at", "updated_at") SELECT "id", "policy_id", "day_of_week", "start_time", "end_time", "profile_id", "created_at", "updated_at" FROM "schedule_windows"`);
        await queryRunner.query(`DROP TABLE "schedule_windows"`);
        await queryRunner.query(`ALTER TABLE "temporary_schedule_windows" RENAME TO "schedule_windows"`);
        await queryRunner.query(`CREATE INDEX "IDX_445a7784fc5fb9c270346a058c" ON "schedule_windows" ("policy_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_e958af84b312718d4461ed0fc4" ON "schedule_windows" ("profile_id") `);
        await queryRunner.query(`DROP INDEX "IDX_8bd6a2364a9783113f205227ae"`);
        await queryRunner.query(`DROP INDEX "IDX_d36bc015f4d12b0ff4094d1ba4"`);
        await queryRunner.query(`CREATE TABLE "temporary_schedule_policy_cameras" ("policy_id" integer NOT NULL, "camera_id" integer NOT NULL, CONSTRAINT "FK_8bd6a2364a9783113f205227ae6" FOREIGN KEY ("policy_id") REFERENCES "schedule_policies" ("id") ON DELETE CASCADE ON UPDATE CASCADE, CONSTRAINT "FK_d36bc015f4d12b0ff4094d1ba40" FOREIGN KEY ("camera_id") REFERENCES "cameras" ("id") ON DELETE CASCADE ON UPDATE CASCADE, PRIMARY KEY ("policy_id", "camera_id"))`);
        await queryRunner.query(`INSERT INTO "temporary_schedule_policy_cameras"("policy_id", "camera_id") SELECT "policy_id", "camera_id" FROM "schedule_policy_cameras"`);
        await queryRunner.query(`DROP TABLE "schedule_policy_cameras"`);
        await queryRunner.query(`ALTER TABLE "temporary_schedule_policy_cameras" RENAME TO "schedule_policy_cameras"`);
        await queryRunner.query(`CREATE INDEX "IDX_8bd6a2364a9783113f205227ae" ON "schedule_policy_cameras" ("policy_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_d36bc015f4d12b0ff4094d1ba4" ON "schedule_policy_cameras" ("camera_id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_d36bc015f4d12b0ff4094d1ba4"`);
        await queryRunner.query(`DROP INDEX "IDX_8bd6a2364a9783113f205227ae"`);
        await queryRunner.query(`ALTER TABLE "schedule_policy_cameras" RENAME TO "temporary_schedule_policy_cameras"`);
        await queryRunner.query(`CREATE TABLE "schedule_policy_cameras" ("policy_id" integer NOT NULL, "camera_id" integer NOT NULL, PRIMARY KEY ("policy_id", "camera_id"))`);
        await queryRunner.query(`INSERT INTO "schedule_policy_cameras"("policy_id", "camera_id") SELECT "policy_id", "camera_id" FROM "temporary_schedule_policy_cameras"`);
        await queryRunner.query(`DROP TABLE "temporary_schedule_policy_cameras"`);
        await queryRunner.query(`CREATE INDEX "IDX_d36bc015f4d12b0ff4094d1ba4" ON "schedule_policy_cameras" ("camera_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_8bd6a2364a9783113f205227ae" ON "schedule_policy_cameras" ("policy_id") `);
        await queryRunner.query(`DROP INDEX "IDX_e958af84b312718d4461ed0fc4"`);
        await queryRunner.query(`DROP INDEX "IDX_445a7784fc5fb9c270346a058c"`);
        await queryRunner.query(`ALTER TABLE "schedule_windows" RENAME TO "temporary_schedule_windows"`);
        await queryRunner.query(`CREATE TABLE "schedule_windows" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "policy_id" integer NOT NULL, "day_of_week" smallint NOT NULL, "start_time" varchar(8) NOT NULL, "end_time" varchar(8) NOT NULL, "profile_id" integer NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')))`);
        await queryRunner.query(`INSERT INTO "schedule_windows"("id", "policy_id", "day_of_week", "start_time", "end_time", "profile_id", "created_at", "updated_at") SELECT "id", "policy_id", "day_of_week", "start_time", "end_time", "profile_id", "created_at", "updated_at" FROM "temporary_schedule_windows"`);
        await queryRunner.query(`DROP TABLE "temporary_schedule_windows"`);
        await queryRunner.query(`CREATE INDEX "IDX_e958af84b312718d4461ed0fc4" ON "schedule_windows" ("profile_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_445a7784fc5fb9c270346a058c" ON "schedule_windows" ("policy_id") `);
        await queryRunner.query(`DROP INDEX "IDX_304f4ad0c2ba7e688aff3179c0"`);
        await queryRunner.query(`ALTER TABLE "schedule_exceptions" RENAME TO "temporary_schedule_exceptions"`);
        await queryRunner.query(`CREATE TABLE "schedule_exceptions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "policy_id" integer NOT NULL, "date" varchar(10) NOT NULL, "mode" varchar(8) NOT NULL, "start_time" varchar(8), "end_time" varchar(8), "profile_id" integer, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "uq_schedule_exceptions_policy_date" UNIQUE ("policy_id", "date"))`);
        await queryRunner.query(`INSERT INTO "schedule_exceptions"("id", "policy_id", "date", "mode", "start_time", "end_time", "profile_id", "created_at", "updated_at") SELECT "id", "policy_id", "date", "mode", "start_time", "end_time", "profile_id", "created_at", "updated_at" FROM "temporary_schedule_exceptions"`);
        await queryRunner.query(`DROP TABLE "temporary_schedule_exceptions"`);
        await queryRunner.query(`CREATE INDEX "IDX_304f4ad0c2ba7e688aff3179c0" ON "schedule_exceptions" ("profile_id") `);
        await queryRunner.query(`ALTER TABLE "resource_settings" RENAME TO "temporary_resource_settings"`);
        await queryRunner.query(`CREATE TABLE "resource_settings" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "camera_id" integer, "device" varchar(8), "hwaccel" varchar(8), "gpu_index" integer, "cpu_nice" integer, "cpu_affinity" varchar(64), "max_fps" float, "det_set_max" varchar(8), "is_active" boolean NOT NULL DEFAULT (1), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_212378198c40004237de97a5d6a" UNIQUE ("camera_id"))`);
        await queryRunner.query(`INSERT INTO "resource_settings"("id", "camera_id", "device", "hwaccel", "gpu_index", "cpu_nice", "cpu_affinity", "max_fps", "det_set_max", "is_active", "created_at", "updated_at") SELECT "id", "camera_id", "device", "hwaccel", "gpu_index", "cpu_nice", "cpu_affinity", "max_fps", "det_set_max", "is_active", "created_at", "updated_at" FROM "temporary_resource_settings"`);
        await queryRunner.query(`DROP TABLE "temporary_resource_settings"`);
        await queryRunner.query(`DROP INDEX "IDX_2c7ec321a083f179a30726ea5f"`);
        await queryRunner.query(`ALTER TABLE "runners" RENAME TO "temporary_runners"`);
        await queryRunner.query(`CREATE TABLE "runners" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "camera_id" integer NOT NULL, "profile_id" integer NOT NULL, "node" varchar(63) NOT NULL, "pid" integer, "process_start_time" varchar(32), "status" varchar(16) NOT NULL DEFAULT ('starting'), "started_at" datetime, "last_heartbeat_at" datetime, "effective_args" text, "spec_hash" varchar(64) NOT NULL DEFAULT (''), "restart_count" integer NOT NULL DEFAULT (0), "last_exit_code" integer, "last_exit_signal" varchar(16), "last_error" text NOT NULL DEFAULT (''), "camera_fps" float, "processed_fps" float, "target_fps" float, "snapshot_every" integer, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "uq_runners_pair_node" UNIQUE ("camera_id", "profile_id", "node"))`);
        await queryRunner.query(`INSERT INTO "runners"("id", "camera_id", "profile_id", "node", "pid", "process_start_time", "status", "started_at", "last_heartbeat_at", "effective_args", "spec_hash", "restart_count", "last_exit_code", "last_exit_signal", "last_error", "camera_fps", "processed_fps", "target_fps", "snapshot_every", "created_at", "updated_at") SELECT "id", "camera_id", "profile_id", "node", "pid", "process_start_time", "status", "started_at", "last_heartbeat_at", "effective_args", "spec_hash", "restart_count", "last_exit_code", "last_exit_signal", "last_error", "camera_fps", "processed_fps", "target_fps", "snapshot_every", "created_at", "updated_at" FROM "temporary_runners"`);
        await queryRunner.query(`DROP TABLE "temporary_runners"`);
        await queryRunner.query(`CREATE INDEX "IDX_2c7ec321a083f179a30726ea5f" ON "runners" ("profile_id") `);
        await queryRunner.query(`DROP INDEX "IDX_d36bc015f4d12b0ff4094d1ba4"`);
        await queryRunner.query(`DROP INDEX "IDX_8bd6a2364a9783113f205227ae"`);
        await queryRunner.query(`DROP TABLE "schedule_policy_cameras"`);
        await queryRunner.query(`DROP TABLE "stream_profiles"`);
        await queryRunner.query(`DROP INDEX "IDX_e958af84b312718d4461ed0fc4"`);
        await queryRunner.query(`DROP INDEX "IDX_445a7784fc5fb9c270346a058c"`);
        await queryRunner.query(`DROP TABLE "schedule_windows"`);
        await queryRunner.query(`DROP TABLE "schedule_policies"`);
        await queryRunner.query(`DROP INDEX "IDX_304f4ad0c2ba7e688aff3179c0"`);
        await queryRunner.query(`DROP TABLE "schedule_exceptions"`);
        await queryRunner.query(`DROP TABLE "resource_settings"`);
        await queryRunner.query(`DROP INDEX "IDX_2c7ec321a083f179a30726ea5f"`);
        await queryRunner.query(`DROP TABLE "runners"`);
        await queryRunner.query(`DROP INDEX "ix_runner_heartbeats_pair_ts"`);
        await queryRunner.query(`DROP INDEX "IDX_2e3eeb031baf3bdd2f4fac4095"`);
        await queryRunner.query(`DROP TABLE "runner_heartbeats"`);
        await queryRunner.query(`DROP INDEX "IDX_0181fffb48cd88c53cc088d1c2"`);
        await queryRunner.query(`DROP INDEX "IDX_876a412ecfd123969311673998"`);
        await queryRunner.query(`DROP TABLE "enforcer_events"`);
        await queryRunner.query(`DROP TABLE "cameras"`);
    }

}
