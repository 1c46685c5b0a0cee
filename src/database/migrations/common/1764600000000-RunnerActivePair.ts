import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several hosts (§9): at most one runner row per (camera, profile) may be starting, running or
 * stopping, whatever its node. The database refuses a second claim, so two nodes that briefly
 * disagree about who owns a floating camera can never both start it.
 */
export class RunnerActivePair1764600000000 implements MigrationInterface {
  name = 'RunnerActivePair1764600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_runners_active_pair" ON "runners" ("camera_id", "profile_id") WHERE status IN ('starting', 'running', 'stopping')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_runners_active_pair"`);
  }
}
