import { parseArgs } from 'node:util';
import type { Cache } from 'cache-manager';
import { openCache } from '../cache/cache-stores.js';
import { CommandError, parsePositiveInt } from '../commands/command-error.js';
import { Clock } from '../common/clock.js';
import { consoleSink, setLogSink } from '../common/log.js';
import type { AppConfig } from '../config/app-config.js';
import { POSTGRES_MIGRATIONS } from '../database/migrations/postgres/index.js';
import { SQLITE_MIGRATIONS } from '../database/migrations/sqlite/index.js';
import { openSql, type Sql } from '../database/sql.js';
import { Breadcrumbs } from './breadcrumbs.js';
import { acquireLock, EnforcerBusyError, EnforcerLoop } from './enforcer.loop.js';
import { EnforcerMetrics } from './enforcer.metrics.js';
import { EnforcerRepository } from './enforcer.repository.js';
import { EnforcerService } from './enforcer.service.js';
import { LeaseRepository } from './lease.repository.js';
import { ProcessAdapter } from './process.adapter.js';
import { StatusService } from './status.service.js';

/**
 * The enforcer without Nest or TypeORM: the same classes the app wires with Nest, built by
 * hand over a direct database connection (`Sql`) and the shared cache. This is what `bisk
 * run-enforcer` — the long-running systemd service — runs: it starts in a few hundred
 * milliseconds and keeps its memory close to a bare Node process (bench/RESULTS.md).
 */
export interface EnforcerRuntime {
  sql: Sql;
  cache: Cache;
  repo: EnforcerRepository;
  breadcrumbs: Breadcrumbs;
  service: EnforcerService;
  loop: EnforcerLoop;
  status: StatusService;
  close(): Promise<void>;
}

/**
 * Applies pending migrations before the enforcer touches the schema. Checking costs one query;
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
  const { migrateDatabase } = await import('../database/migrations.js');
  await migrateDatabase(config.database);
}

export async function openEnforcerRuntime(config: AppConfig): Promise<EnforcerRuntime> {
  setLogSink(consoleSink(config.logLevel));
  const sql = await openSql(config.database);
  try {
    await ensureMigrated(config, sql);
    const cache = await openCache(config);
    const clock = new Clock();
    const metrics = new EnforcerMetrics();
    const repo = new EnforcerRepository(sql);
    const breadcrumbs = new Breadcrumbs(cache, config.enforcer.nodeName);
    const service = new EnforcerService(config, repo, new ProcessAdapter(), clock, metrics);
    const loop = new EnforcerLoop(config, service, new LeaseRepository(sql), breadcrumbs, clock, metrics);
    const status = new StatusService(config, breadcrumbs, repo, clock);
    return {
      sql, cache, repo, breadcrumbs, service, loop, status,
      close: async () => {
        await cache.disconnect().catch(() => undefined);
        await sql.close();
      },
    };
  } catch (error) {
    await sql.close().catch(() => undefined);
    throw error;
  }
}

const RUN_ENFORCER_OPTIONS = {
  interval: { type: 'string' },
  'lock-file': { type: 'string' },
} as const;

/** `bisk run-enforcer [--interval <seconds>] [--lock-file <path>]`: runs until SIGTERM/SIGINT; returns the exit code. */
export async function runEnforcerCommand(config: AppConfig, argv: string[]): Promise<number> {
  let options: { interval?: string; 'lock-file'?: string };
  try {
    options = parseArgs({ args: argv, options: RUN_ENFORCER_OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message.split('\n')[0]}\n(see bisk run-enforcer --help)\n`);
    return 2;
  }
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  try {
    const interval = options.interval === undefined ? undefined : parsePositiveInt('--interval', options.interval, 3600);
    // The lock first: a second instance is refused before it opens the database.
    const lock = acquireLock(options['lock-file'] ?? config.enforcer.lockFile);
    const runtime = await openEnforcerRuntime(config).catch((error) => {
      lock.release();
      throw error;
    });
    try {
      await runtime.loop.start(lock, interval);
      console.log('Enforcer started. Press Ctrl+C to stop.');
      const signal = await stopped;
      console.log(`${signal} received: finishing the current tick and stopping runners...`);
      await runtime.loop.stop();
      console.log('Enforcer stopped.');
      return 0;
    } finally {
      await runtime.close();
    }
  } catch (error) {
    if (error instanceof EnforcerBusyError || error instanceof CommandError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
