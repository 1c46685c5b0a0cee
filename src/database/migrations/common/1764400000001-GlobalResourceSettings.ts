import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The global resource-settings row (cameraId null) always exists; per-camera rows override it. */
export class GlobalResourceSettings1764400000001 implements MigrationInterface {
  name = 'GlobalResourceSettings1764400000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO "resource_settings" ("camera_id", "device", "hwaccel", "is_active") VALUES (NULL, 'cpu', 'none', true)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "resource_settings" WHERE "camera_id" IS NULL`);
  }
}
