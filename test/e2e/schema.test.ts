import 'reflect-metadata';
import Database from 'better-sqlite3';
import { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source.options.js';
import { migrateDatabase } from '../../src/database/migrations.js';
import { createDatabase, POSTGRES_URL, type TestDatabase } from '../support/databases.js';

const engines = POSTGRES_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

describe.each(engines)('migrations on %s', (engine) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('create exactly the schema the entities describe, and apply only once', async () => {
    db = await createDatabase(engine);
    const settings = parseDatabaseUrl(db.url);
    const first = await migrateDatabase(settings);
    expect(first.applied).toEqual(['Initial1764400000000', 'GlobalResourceSettings1764400000001', 'EnforcerState1764500000000', 'RunnerActivePair1764600000000', 'EventKindIndexes1764700000000', 'WorldVersion1764800000000']);
    const second = await migrateDatabase(settings);
    expect(second.applied).toEqual([]);

    const dataSource = await new DataSource(dataSourceOptions(settings)).initialize();
    try {
      // A migration that drifted from the entities would make the schema builder want changes.
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      const [global] = await dataSource.query(`SELECT device, hwaccel FROM resource_settings WHERE camera_id IS NULL`);
      expect(global).toEqual({ device: 'cpu', hwaccel: 'none' });
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('embedded SQLite file', () => {
  it('is created on first start, with its directory, in WAL mode', async () => {
    const db = await createDatabase('sqlite');
    try {
      await migrateDatabase(parseDatabaseUrl(db.url));
      const file = new Database(db.url, { readonly: true });
      expect(file.pragma('journal_mode', { simple: true })).toBe('wal');
      file.close();
    } finally {
      await db.drop();
    }
  });
});
