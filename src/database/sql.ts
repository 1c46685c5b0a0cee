import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSource } from 'typeorm';
import type { DatabaseSettings } from '../config/app-config.js';

/**
 * The SQL port: the few statements the enforcer (and the CLI around it) runs, on either engine,
 * without an ORM. Each host provides it under SQL_PORT — the HTTP app over its TypeORM
 * connection (DatabaseModule), the CLI context over a direct connection (SqlModule), so the
 * service never loads TypeORM unless a migration is pending. Statements are written with `?`
 * placeholders; PostgreSQL gets `$1, $2 …`. Writes that need an id use RETURNING (SQLite ≥
 * 3.35, PostgreSQL).
 */
export interface Sql {
  readonly engine: 'sqlite' | 'postgres';
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** A write; resolves to the number of rows it changed. */
  execute(text: string, params?: unknown[]): Promise<number>;
  /** Rows as arrays in the order of the SELECT list (no per-row objects: the tick's big reads). */
  rows(text: string, params?: unknown[]): Promise<unknown[][]>;
  /** An instant as the engine stores it: a Date for PostgreSQL, TypeORM's UTC text for SQLite. */
  instant(value: Date | null): unknown;
  close(): Promise<void>;
}

/** How an engine stores an instant (Sql.instant): a Date for PostgreSQL, TypeORM's UTC text for SQLite. */
export const instantFor = (engine: Sql['engine']) => (value: Date | null): unknown => (value === null || engine === 'postgres' ? value : sqliteInstant(value));

/** `column = ?` for each filter that is set, joined with AND, and their parameters. */
export function equalities(filters: Record<string, unknown>): { conditions: string[]; params: unknown[] } {
  const set = Object.entries(filters).filter(([, value]) => value !== undefined && value !== null && value !== 0);
  return { conditions: set.map(([column]) => `${column} = ?`), params: set.map(([, value]) => value) };
}

/** Injection token of the SQL port (see Sql). */
export const SQL_PORT = Symbol('SQL_PORT');

/** Per-connection SQLite settings, the same for the app's TypeORM connection and the enforcer's. */
export const SQLITE_PRAGMAS = ['foreign_keys = ON', 'synchronous = NORMAL'];

/** "2026-11-29 13:45:00.000": how TypeORM writes `datetime` columns on SQLite (UTC). */
export const sqliteInstant = (value: Date) => value.toISOString().replace('T', ' ').replace('Z', '');

const numbered = (text: string) => {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
};

/** SQLite takes numbers, strings, null and buffers only. */
const sqliteParam = (value: unknown) => (typeof value === 'boolean' ? Number(value) : value instanceof Date ? sqliteInstant(value) : value);

/** How long a statement may run (PostgreSQL); 0 = no limit (migrations, tests). */
export interface SqlLimits {
  statementTimeoutMs: number;
}

/** The client gives up this long after the server's statement_timeout: the server's own error wins while it can answer. */
const CLIENT_GRACE_MS = 2000;

/**
 * pg settings that keep a stalled link from hanging a caller forever (a connection whose packets
 * are dropped, not refused): the server cancels long statements (statement_timeout), the client
 * stops waiting for an answer (query_timeout; the pool then discards that connection), TCP
 * keepalive finds dead idle connections, and a new connection gets 5 s.
 */
export function postgresLimits({ statementTimeoutMs }: SqlLimits) {
  return {
    connectionTimeoutMillis: 5000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + CLIENT_GRACE_MS } : {}),
  };
}

/** pg's "Query read timeout" in the operator's words. */
export function describeQueryTimeout(error: unknown, limits: SqlLimits): unknown {
  if (error instanceof Error && error.message === 'Query read timeout') {
    const seconds = (limits.statementTimeoutMs + CLIENT_GRACE_MS) / 1000;
    return new Error(`PostgreSQL did not answer within ${seconds} s (DB_STATEMENT_TIMEOUT_MS + 2 s): the database or the network to it is not responding`);
  }
  return error;
}

/** What runs a statement on PostgreSQL: a pool (a connection each time) or one client (one session). */
export interface Queryable {
  query(config: { text: string; values?: unknown[]; rowMode?: 'array' }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** The SQL port over a PostgreSQL pool or client; `close` is what closing it does (a client's session belongs to its owner). */
export function postgresSql(db: Queryable, limits: SqlLimits, close: () => Promise<void> = async () => undefined): Sql {
  const run = async (text: string, params: unknown[], rowMode?: 'array') => {
    try {
      return await db.query({ text: numbered(text), values: params, ...(rowMode ? { rowMode } : {}) });
    } catch (error) {
      throw describeQueryTimeout(error, limits);
    }
  };
  return {
    engine: 'postgres',
    query: async <T>(text: string, params: unknown[] = []) => (await run(text, params)).rows as T[],
    execute: async (text: string, params: unknown[] = []) => (await run(text, params)).rowCount ?? 0,
    rows: async (text: string, params: unknown[] = []) => (await run(text, params, 'array')).rows as unknown[][],
    instant: instantFor('postgres'),
    close,
  };
}

/** Opens the configured database directly (the same pragmas and limits as the app's TypeORM connection). */
export async function openSql(settings: DatabaseSettings, limits: SqlLimits = { statementTimeoutMs: 0 }): Promise<Sql> {
  if (settings.engine === 'postgres') {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: settings.url, max: 4, application_name: 'bisk-enforcer', ...postgresLimits(limits) });
    // An idle client losing its connection must not take the process down; the next query reports it.
    pool.on('error', () => undefined);
    return postgresSql(pool as unknown as Queryable, limits, () => pool.end());
  }
  const { default: Database } = await import('better-sqlite3');
  if (settings.path !== ':memory:') mkdirSync(dirname(settings.path), { recursive: true });
  const db = new Database(settings.path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  const statements = new Map<string, import('better-sqlite3').Statement<unknown[]>>();
  const prepared = (text: string) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare<unknown[]>(text);
      // Statements with IN (…) lists vary in length: only cache the fixed ones.
      if (statements.size < 200) statements.set(text, statement);
    }
    return statement;
  };
  return {
    engine: 'sqlite',
    query: async <T>(text: string, params: unknown[] = []) => {
      const statement = prepared(text);
      const values = params.map(sqliteParam);
      if (statement.reader) return statement.raw(false).all(...values) as T[];
      statement.run(...values);
      return [];
    },
    execute: async (text: string, params: unknown[] = []) => prepared(text).run(...params.map(sqliteParam)).changes,
    rows: async (text: string, params: unknown[] = []) => prepared(text).raw(true).all(...params.map(sqliteParam)) as unknown[][],
    instant: instantFor('sqlite'),
    close: async () => {
      db.close();
    },
  };
}

/** The same port over the Nest app's TypeORM connection (one pool per process). */
export function typeormSql(dataSource: DataSource): Sql {
  const engine = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  return {
    engine,
    query: async <T>(text: string, params: unknown[] = []) => {
      const result = await dataSource.query(engine === 'postgres' ? numbered(text) : text, engine === 'sqlite' ? params.map(sqliteParam) : params);
      return (Array.isArray(result) ? result : []) as T[];
    },
    execute: async (text: string, params: unknown[] = []) => {
      const runner = dataSource.createQueryRunner();
      try {
        const result = await runner.query(engine === 'postgres' ? numbered(text) : text, engine === 'sqlite' ? params.map(sqliteParam) : params, true);
        return result.affected ?? 0;
      } finally {
        await runner.release();
      }
    },
    rows: async (text: string, params: unknown[] = []) => {
      const result = await dataSource.query(engine === 'postgres' ? numbered(text) : text, engine === 'sqlite' ? params.map(sqliteParam) : params);
      return (Array.isArray(result) ? result : []).map((row: Record<string, unknown>) => Object.values(row));
    },
    instant: instantFor(engine),
    close: async () => undefined,
  };
}

/** PostgreSQL hands back Dates; SQLite the UTC text TypeORM wrote ("2026-11-29 13:45:00.000"). */
export function readInstant(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

export const readBool = (value: unknown) => value === true || value === 1 || value === '1' || value === 't';
export const readJson = <T>(value: unknown, fallback: T): T => (typeof value === 'string' ? (value ? JSON.parse(value) : fallback) : ((value as T) ?? fallback));
export const readNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
