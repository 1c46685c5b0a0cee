import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1764400000000 implements MigrationInterface {
    name = 'Initial1764400000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "cameras" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "rtsp_url" character varying(2048) NOT NULL, "location" character varying(200) NOT NULL DEFAULT '', "is_active" boolean NOT NULL DEFAULT true, "pause_until" TIMESTAMP WITH TIME ZONE, "rtsp_transport" character varying(8) NOT NULL DEFAULT 'auto', "hb_interval" integer NOT NULL DEFAULT '10', "snapshot_every" integer NOT NULL DEFAULT '3', "prefer_camera_over_profile" boolean NOT NULL DEFAULT false, "target_fps_req" double precision, "det_set_req" character varying(8), "node" character varying(63), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_742535db289ee166637d50e9564" UNIQUE ("name"), CONSTRAINT "PK_88b40b9817f9f422121f861e1e8" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "enforcer_events" ("id" SERIAL NOT NULL, "ts" TIMESTAMP WITH TIME ZONE NOT NULL, "node" character varying(63) NOT NULL, "kind" character varying(16) NOT NULL, "camera_id" integer, "profile_id" integer, "pid" integer, "message" text NOT NULL DEFAULT '', CONSTRAINT "PK_e2bb5ccf7081e57604c38fe8e3f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_876a412ecfd123969311673998" ON "enforcer_events"  ("ts") `);
        await queryRunner.query(`CREATE INDEX "IDX_0181fffb48cd88c53cc088d1c2" ON "enforcer_events"  ("camera_id") `);
        await queryRunner.query(`CREATE TABLE "runner_heartbeats" ("id" SERIAL NOT NULL, "camera_id" integer NOT NULL, "profile_id" integer NOT NULL, "pid" integer, "ts" TIMESTAMP WITH TIME ZONE NOT NULL, "camera_fps" double precision, "processed_fps" double precision, "target_fps" double precision, "detected" integer, "matched" integer, "latency_ms" double precision, "last_error" text NOT NULL DEFAULT '', "snapshot_every" integer, "min_face_px" integer, CONSTRAINT "PK_51c609bf47fd22dc29c42be7741" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_2e3eeb031baf3bdd2f4fac4095" ON "runner_heartbeats"  ("ts") `);
        await queryRunner.query(`CREATE INDEX "ix_runner_heartbeats_pair_ts" ON "runner_heartbeats"  ("camera_id", "profile_id", "ts") `);
        await queryRunner.query(`CREATE TABLE "runners" ("id" SERIAL NOT NULL, "camera_id" integer NOT NULL, "profile_id" integer NOT NULL, "node" character varying(63) NOT NULL, "pid" integer, "process_start_time" character varying(32), "status" character varying(16) NOT NULL DEFAULT 'starting', "started_at" TIMESTAMP WITH TIME ZONE, "last_heartbeat_at" TIMESTAMP WITH TIME ZONE, "effective_args" text, "spec_hash" character varying(64) NOT NULL DEFAULT '', "restart_count" integer NOT NULL DEFAULT '0', "last_exit_code" integer, "last_exit_signal" character varying(16), "last_error" text NOT NULL DEFAULT '', "camera_fps" double precision, "processed_fps" double precision, "target_fps" double precision, "snapshot_every" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_runners_pair_node" UNIQUE ("camera_id", "profile_id", "node"), CONSTRAINT "PK_9b52b801361edc6a1f4dcd390c4" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_2c7ec321a083f179a30726ea5f" ON "runners"  ("profile_id") `);
        await queryRunner.query(`CREATE TABLE "resource_settings" ("id" SERIAL NOT NULL, "camera_id" integer, "device" character varying(8), "hwaccel" character varying(8), "gpu_index" integer, "cpu_nice" integer, "cpu_affinity" character varying(64), "max_fps" double precision, "det_set_max" character varying(8), "is_active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_212378198c40004237de97a5d6a" UNIQUE ("camera_id"), CONSTRAINT "PK_5a18673ec8ca95f1c9f57ee26b8" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "schedule_exceptions" ("id" SERIAL NOT NULL, "policy_id" integer NOT NULL, "date" character varying(10) NOT NULL, "mode" character varying(8) NOT NULL, "start_time" character varying(8), "end_time" character varying(8), "profile_id" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_schedule_exceptions_policy_date" UNIQUE ("policy_id", "date"), CONSTRAINT "PK_829b77f6edcc7e36993664df455" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_304f4ad0c2ba7e688aff3179c0" ON "schedule_exceptions"  ("profile_id") `);
        await queryRunner.query(`CREATE TABLE "schedule_policies" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "is_enabled" boolean NOT NULL DEFAULT true, "notes" text NOT NULL DEFAULT '', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_9f1f3dce7a164afefc91c01214d" UNIQUE ("name"), CONSTRAINT "PK_c715cb62486f9999c182bb27d1f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "schedule_windows" ("id" SERIAL NOT NULL, "policy_id" integer NOT NULL, "day_of_week" smallint NOT NULL, "start_time" character varying(8) NOT NULL, "end_time" character varying(8) NOT NULL, "profile_id" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_34315b3eca9cc2808fc421c6e68" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_445a7784fc5fb9c270346a058c" ON "schedule_windows"  ("policy_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_e958af84b312718d4461ed0fc4" ON "schedule_windows"  ("profile_id") `);
        await queryRunner.query(`CREATE TABLE "stream_profiles" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "fps" double precision NOT NULL DEFAULT '6', "detection_set" character varying(8) NOT NULL DEFAULT 'auto', "rtsp_transport" character varying(8) NOT NULL DEFAULT '', "hb_interval" integer NOT NULL DEFAULT '10', "snapshot_every" integer NOT NULL DEFAULT '3', "extra_args" text NOT NULL, "is_active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_52bd7917722fdd9e21aab2b473f" UNIQUE ("name"), CONSTRAINT "PK_697311719c41040d39375742b15" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "schedule_policy_cameras" ("policy_id" integer NOT NULL, "camera_id" integer NOT NULL, CONSTRAINT "PK_4b5d4886bad19bc5e18e2158ed7" PRIMARY KEY ("policy_id", "camera_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_8bd6a2364a9783113f205227ae" ON "schedule_policy_cameras"  ("policy_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_d36bc015f4d12b0ff4094d1ba4" ON "schedule_policy_cameras"  ("camera_id") `);
        await queryRunner.query(`ALTER TABLE "runners" ADD CONSTRAINT "FK_c57d5338029ea42866ee402dcac" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "runners" ADD CONSTRAINT "FK_2c7ec321a083f179a30726ea5f1" FOREIGN KEY ("profile_id") REFERENCES "stream_profiles"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "resource_settings" ADD CONSTRAINT "FK_212378198c40004237de97a5d6a" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "schedule_exceptions" ADD CONSTRAINT "FK_a4bd0a379f9e198438374ea4343" FOREIGN KEY ("policy_id") REFERENCES "schedule_policies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "schedule_exceptions" ADD CONSTRAINT "FK_304f4ad0c2ba7e688aff3179c00" FOREIGN KEY ("profile_id") REFERENCES "stream_profiles"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "schedule_windows" ADD CONSTRAINT "FK_445a7784fc5fb9c270346a058c3" FOREIGN KEY ("policy_id") REFERENCES "schedule_policies"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "schedule_windows" ADD CONSTRAINT "FK_e958af84b312718d4461ed0fc4f" FOREIGN KEY ("profile_id") REFERENCES "stream_profiles"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "schedule_policy_cameras" ADD CONSTRAINT "FK_8bd6a2364a9783113f205227ae6" FOREIGN KEY ("policy_id") REFERENCES "schedule_policies"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
        await queryRunner.query(`ALTER TABLE "schedule_policy_cameras" ADD CONSTRAINT "FK_d36bc015f4d12b0ff4094d1ba40" FOREIGN KEY ("camera_id") REFERENCES "cameras"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "schedule_policy_cameras" DROP CONSTRAINT "FK_d36bc015f4d12b0ff4094d1ba40"`);
        await queryRunner.query(`ALTER TABLE "schedule_policy_cameras" DROP CONSTRAINT "FK_8bd6a2364a9783113f205227ae6"`);
        await queryRunner.query(`ALTER TABLE "schedule_windows" DROP CONSTRAINT "FK_e958af84b312718d4461ed0fc4f"`);
        await queryRunner.query(`ALTER TABLE "schedule_windows" DROP CONSTRAINT "FK_445a7784fc5fb9c270346a058c3"`);
        await queryRunner.query(`ALTER TABLE "schedule_exceptions" DROP CONSTRAINT "FK_304f4ad0c2ba7e688aff3179c00"`);
        await queryRunner.query(`ALTER TABLE "schedule_exceptions" DROP CONSTRAINT "FK_a4bd0a379f9e198438374ea4343"`);
        await queryRunner.query(`ALTER TABLE "resource_settings" DROP CONSTRAINT "FK_212378198c40004237de97a5d6a"`);
        await queryRunner.query(`ALTER TABLE "runners" DROP CONSTRAINT "FK_2c7ec321a083f179a30726ea5f1"`);
        await queryRunner.query(`ALTER TABLE "runners" DROP CONSTRAINT "FK_c57d5338029ea42866ee402dcac"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_d36bc015f4d12b0ff4094d1ba4"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_8bd6a2364a9783113f205227ae"`);
        await queryRunner.query(`DROP TABLE "schedule_policy_cameras"`);
        await queryRunner.query(`DROP TABLE "stream_profiles"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_e958af84b312718d4461ed0fc4"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_445a7784fc5fb9c270346a058c"`);
        await queryRunner.query(`DROP TABLE "schedule_windows"`);
        await queryRunner.query(`DROP TABLE "schedule_policies"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_304f4ad0c2ba7e688aff3179c0"`);
        await queryRunner.query(`DROP TABLE "schedule_exceptions"`);
        await queryRunner.query(`DROP TABLE "resource_settings"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_2c7ec321a083f179a30726ea5f"`);
        await queryRunner.query(`DROP TABLE "runners"`);
        await queryRunner.query(`DROP INDEX "public"."ix_runner_heartbeats_pair_ts"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_2e3eeb031baf3bdd2f4fac4095"`);
        await queryRunner.query(`DROP TABLE "runner_heartbeats"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_0181fffb48cd88c53cc088d1c2"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_876a412ecfd123969311673998"`);
        await queryRunner.query(`DROP TABLE "enforcer_events"`);
        await queryRunner.query(`DROP TABLE "cameras"`);
    }

}
