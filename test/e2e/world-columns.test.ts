import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source.options.js';
import { migrateDatabase } from '../../src/database/migrations.js';
import { openSql } from '../../src/database/sql.js';
import { selectList, WORLD_COLUMNS } from '../../src/enforcer/world.js';
import { createDatabase, POSTGRES_URL, type TestDatabase } from '../support/databases.js';

/**
 * The SQL port reads plain rows by column name (world.ts); the entities are what the
 * migrations and the HTTP app use. Every property → column pair the port names must be the
 * entity's own, and every SELECT list must run on the migrated schema, on both engines.
 */
const engines = POSTGRES_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

describe.each(engines)('the SQL port’s column lists on %s', (engine) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it('match the entities’ metadata, table by table, and select from the migrated schema', async () => {
    const db = await createDatabase(engine);
    dbs.push(db);
    const settings = parseDatabaseUrl(db.url);
    await migrateDatabase(settings);
    const dataSource = await new DataSource(dataSourceOptions(settings)).initialize();
    const sql = await openSql(settings);
    try {
      for (const [table, columns] of Object.entries(WORLD_COLUMNS) as [keyof typeof WORLD_COLUMNS, Record<string, string>][]) {
        const metadata = dataSource.entityMetadatas.find((m) => m.tableName === table);
        expect(metadata, `an entity for table ${table}`).toBeDefined();
        for (const [property, column] of Object.entries(columns)) {
          expect(metadata!.findColumnWithPropertyName(property)?.databaseName, `${table}.${property}`).toBe(column);
        }
        const rows = await sql.rows(`SELECT ${selectList(table)} FROM ${table} LIMIT 1`);
        expect(rows.every((row) => row.length === Object.keys(columns).length)).toBe(true);
      }
    } finally {
      await sql.close();
      await dataSource.destroy();
    }
  });
});

if (!POSTGRES_URL) it.skip('column lists on postgres: set BISK_TEST_POSTGRES_URL to run', () => {});
