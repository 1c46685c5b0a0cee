import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables a tick plans from (everything but runners, events, heartbeats and leases). */
export const WORLD_TABLES = ['cameras', 'stream_profiles', 'schedule_policies', 'schedule_windows', 'schedule_exceptions', 'schedule_policy_cameras', 'resource_settings'] as const;

/**
 * Fleet scale (§9): a tick re-reads the cameras and schedules only when they changed.
 *
 * - `world_version` holds one counter, bumped by triggers on every insert, update, delete (and,
 *   on PostgreSQL, truncate) of the tables a tick plans from — whoever writes them: the API, the
 *   console, the enforcer clearing a pause, an operator's own SQL. A tick reads the counter first
 *   and the tables only when it moved (EnforcerRepository.loadWorld).
 * - On PostgreSQL the triggers are deferred to commit and bump once per transaction, so the
 *   counter's row is the last lock a writer takes (no deadlock between writers of different
 *   tables) and a reader that sees the new value also sees the rows it stands for.
 * - `ix_runners_node`: a tick reads its own node's runner rows through it instead of scanning
 *   every runner row of the fleet.
 */
export class WorldVersion1764800000000 implements MigrationInterface {
  name = 'WorldVersion1764800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    await queryRunner.query(`CREATE INDEX "ix_runners_node" ON "runners" ("node")`);
    if (postgres) {
      await queryRunner.query(`CREATE TABLE "world_version" ("id" integer PRIMARY KEY CHECK ("id" = 1), "version" bigint NOT NULL, "txid" bigint)`);
      await queryRunner.query(`INSERT INTO "world_version" ("id", "version") VALUES (1, 0)`);
      await queryRunner.query(`CREATE FUNCTION bisk_world_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE world_version SET version = version + 1, txid = txid_current() WHERE id = 1 AND txid IS DISTINCT FROM txid_current();
  RETURN NULL;
END $$`);
      for (const table of WORLD_TABLES) {
        await queryRunner.query(`CREATE CONSTRAINT TRIGGER "world_changed" AFTER INSERT OR UPDATE OR DELETE ON "${table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bisk_world_changed()`);
        await queryRunner.query(`CREATE TRIGGER "world_truncated" AFTER TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION bisk_world_changed()`);
      }
      return;
    }
    await queryRunner.query(`CREATE TABLE "world_version" ("id" integer PRIMARY KEY CHECK ("id" = 1), "version" integer NOT NULL)`);
    await queryRunner.query(`INSERT INTO "world_version" ("id", "version") VALUES (1, 0)`);
    for (const table of WORLD_TABLES) {
      for (const change of ['INSERT', 'UPDATE', 'DELETE']) {
        await queryRunner.query(`CREATE TRIGGER "world_${change.toLowerCase()}_${table}" AFTER ${change} ON "${table}" BEGIN UPDATE "world_version" SET "version" = "version" + 1 WHERE "id" = 1; END`);
      }
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const table of WORLD_TABLES) {
      if (postgres) {
        await queryRunner.query(`DROP TRIGGER "world_truncated" ON "${table}"`);
        await queryRunner.query(`DROP TRIGGER "world_changed" ON "${table}"`);
      } else {
        for (const change of ['insert', 'update', 'delete']) await queryRunner.query(`DROP TRIGGER "world_${change}_${table}"`);
      }
    }
    if (postgres) await queryRunner.query(`DROP FUNCTION bisk_world_changed()`);
    await queryRunner.query(`DROP TABLE "world_version"`);
    await queryRunner.query(`DROP INDEX "ix_runners_node"`);
  }
}
