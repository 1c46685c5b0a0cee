import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events by kind without reading the whole log (it is never pruned): (kind, id) for the
 * console's events filtered by kind, newest first — read backwards along the index, counted from
 * it alone; (kind, ts) for the recent restarts by kind that the system page tallies. Without
 * them SQLite walked all of enforcer_events for either (the tally 100-150 ms at 100,000 events).
 */
export class EventKindIndexes1764700000000 implements MigrationInterface {
  name = 'EventKindIndexes1764700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_enforcer_events_kind_id" ON "enforcer_events" ("kind", "id")`);
    await queryRunner.query(`CREATE INDEX "ix_enforcer_events_kind_ts" ON "enforcer_events" ("kind", "ts")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_enforcer_events_kind_ts"`);
    await queryRunner.query(`DROP INDEX "ix_enforcer_events_kind_id"`);
  }
}
