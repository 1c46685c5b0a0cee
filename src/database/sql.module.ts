import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres/index.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';
import { instantFor, openSql, SQL_PORT, type Sql } from './sql.js';

/**
 * Applies pending migrations before anything touches the schema. Checking costs one query;
 * only when something is pending is TypeORM loaded (once, on the first start after an upgrade).
 */
async function ensureMigrated(config: AppConfig, sql: Sql): Promise<void> {
  const known = (config.database.engine === 'postgres' ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS).map((m) => m.name);
  const applied = new Set(
    await sql
      .query<{ name: string }>('SELECT name FROM schema_migrations')
      .then((rows) => rows.map((r) => r.name))
      .catch(() => [] as string[]),
  );
  if (known.every((name) => applied.has(name))) return;
  const { migrateDatabase } = await import('./migrations.js');
  await migrateDatabase(config.database);
}

/**
 * The SQL port over a direct connection (better-sqlite3 or pg), opened and migrated on the
 * first statement: a command that never touches the database (`--help`, `config`, `runner`)
 * opens nothing.
 */
export function lazySql(config: AppConfig): Sql {
  let opened: Promise<Sql> | null = null;
  const sql = () =>
    (opened ??= (async () => {
      const connection = await openSql(config.database, { statementTimeoutMs: config.statementTimeoutMs });
      try {
        await ensureMigrated(config, connection);
        return connection;
      } catch (error) {
        await connection.close().catch(() => undefined);
        throw error;
      }
    })().catch((error: unknown) => {
      opened = null;
      throw error;
    }));
  const engine = config.database.engine;
  return {
    engine,
    query: async (text, params) => (await sql()).query(text, params),
    execute: async (text, params) => (await sql()).execute(text, params),
    rows: async (text, params) => (await sql()).rows(text, params),
    instant: instantFor(engine),
    close: async () => {
      if (!opened) return;
      const current = opened;
      opened = null;
      await (await current.catch(() => null))?.close();
    },
  };
}

@Injectable()
class SqlCloser implements OnApplicationShutdown {
  constructor(@Inject(SQL_PORT) private readonly sql: Sql) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sql.close();
  }
}

/** The CLI context's SQL_PORT: a direct connection, no TypeORM (the HTTP app's comes from DatabaseModule). */
@Module({})
export class SqlModule {
  static forRoot(): DynamicModule {
    return {
      module: SqlModule,
      global: true,
      providers: [{ provide: SQL_PORT, useFactory: (config: AppConfig) => lazySql(config), inject: [AppConfig] }, SqlCloser],
      exports: [SQL_PORT],
    };
  }
}
