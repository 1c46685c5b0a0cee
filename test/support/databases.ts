import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseDatabaseUrl } from '../../src/config/app-config.js';
import { migrateDatabase } from '../../src/database/migrations.js';
import { openSql, type Sql } from '../../src/database/sql.js';

/** A throwaway database for one test file: a SQLite file in a temp dir, or a fresh PostgreSQL database. */
export interface TestDatabase {
  engine: 'sqlite' | 'postgres';
  url: string;
  dir: string;
  drop(): Promise<void>;
}

export const POSTGRES_URL = process.env.BISK_TEST_POSTGRES_URL?.trim() || undefined;

export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-test-'));
  return { engine: 'sqlite', url: join(dir, 'var', 'bisk.sqlite'), dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Creates `bisk_test_<random>` on the server named by BISK_TEST_POSTGRES_URL. When that
 * variable is set and the server cannot be reached this throws: CI asked for PostgreSQL,
 * so the suite fails rather than skipping.
 */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  if (!POSTGRES_URL) throw new Error('BISK_TEST_POSTGRES_URL is not set');
  const name = `bisk_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'bisk-test-'));
  return {
    engine: 'postgres',
    url: url.toString(),
    dir,
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export const createDatabase = (engine: 'sqlite' | 'postgres') =>
  engine === 'sqlite' ? createSqliteDatabase() : createPostgresDatabase();

/** A throwaway database with the schema migrated and the enforcer's SQL port open on it; `drop` closes the port first. */
export interface MigratedDatabase extends TestDatabase {
  sql: Sql;
}

export async function createMigratedDatabase(engine: 'sqlite' | 'postgres'): Promise<MigratedDatabase> {
  const db = await createDatabase(engine);
  await migrateDatabase(parseDatabaseUrl(db.url));
  const sql = await openSql(parseDatabaseUrl(db.url));
  return {
    ...db,
    sql,
    drop: async () => {
      await sql.close();
      await db.drop();
    },
  };
}
