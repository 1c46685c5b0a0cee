import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseSettings } from '../config/app-config.js';
import { useEngineColumnTypes } from './columns.js';
import { ENTITIES } from './entities.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres/index.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';
import { SnakeNamingStrategy } from './naming.strategy.js';
import { QueryLogger } from './query-logger.js';
import { postgresLimits, SQLITE_PRAGMAS, type SqlLimits } from './sql.js';

/**
 * The single description of the database connection, used by the Nest app, the CLI and
 * `ormconfig.ts` (TypeORM's migration CLI) alike. Migrations are never synchronised:
 * each engine has its own generated set, applied at start and by `bisk migrate`, without the
 * statement timeout `limits` sets for everything else (a migration may take long on a big table).
 */
export function dataSourceOptions(settings: DatabaseSettings, limits: SqlLimits = { statementTimeoutMs: 0 }): DataSourceOptions {
  useEngineColumnTypes(settings.engine);
  const common = {
    entities: ENTITIES,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'schema_migrations',
    // Failed queries as one short line without SQL or parameters (QueryLogger).
    logging: ['error' as const],
    logger: new QueryLogger(),
  };
  if (settings.engine === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: settings.url,
      migrations: POSTGRES_MIGRATIONS,
      applicationName: 'bisk-enforcer',
      // Statement and client timeouts, keepalive (sql.ts): a stalled link fails a request instead of hanging it.
      extra: { max: 10, ...postgresLimits(limits) },
    };
  }
  if (settings.path !== ':memory:') mkdirSync(dirname(settings.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: settings.path,
    migrations: SQLITE_MIGRATIONS,
    // WAL lets the HTTP app read while the enforcer writes; the busy timeout makes a
    // writer wait for the other process instead of failing with SQLITE_BUSY.
    enableWAL: true,
    timeout: 5000,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
    },
  };
}
