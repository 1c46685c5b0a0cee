import { DataSource } from 'typeorm';
import type { DatabaseSettings } from '../config/app-config.js';
import { dataSourceOptions } from './data-source.options.js';

export interface MigrationRun {
  applied: string[];
  known: string[];
}

/** Applies pending migrations, each in its own transaction (a failure leaves the schema at the last good step). */
export async function applyMigrations(dataSource: DataSource): Promise<MigrationRun> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return {
    applied: applied.map((m) => m.name),
    known: dataSource.migrations.map((m) => m.name ?? m.constructor.name),
  };
}

/** Opens the configured database, migrates it and closes it again (`bisk migrate`). */
export async function migrateDatabase(settings: DatabaseSettings): Promise<MigrationRun> {
  const dataSource = await new DataSource(dataSourceOptions(settings)).initialize();
  try {
    return await applyMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

export function describeDatabase(settings: DatabaseSettings): string {
  return settings.engine === 'sqlite' ? `SQLite ${settings.path}` : `PostgreSQL ${settings.url}`;
}
