import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Logger, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Cache } from 'cache-manager';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { setLogSink } from '../common/log.js';
import { AppConfig } from '../config/app-config.js';
import { type Sql, typeormSql } from '../database/sql.js';
import { Breadcrumbs } from './breadcrumbs.js';
import { EnforcerLoop } from './enforcer.loop.js';
import { EnforcerMetrics } from './enforcer.metrics.js';
import { EnforcerRepository } from './enforcer.repository.js';
import { EnforcerService } from './enforcer.service.js';
import { LeaseRepository } from './lease.repository.js';
import { ProcessAdapter } from './process.adapter.js';
import { StatusService } from './status.service.js';

/** Inside a Nest context the enforcer's lines go through Nest's logger (BiskLogger). */
setLogSink((level, context, message) => Logger[level](message, context));

const ENFORCER_SQL = Symbol('ENFORCER_SQL');

/**
 * The reconcile loop and what it stands on, for Nest contexts (the HTTP app, `bisk demo`, the
 * CLI commands that use the runtime): the tick (EnforcerService), its timing and
 * single-instance guard (EnforcerLoop), processes, rows, events and breadcrumbs. The classes
 * themselves know nothing of Nest — `bisk run-enforcer` builds the same ones without it
 * (enforcer.runtime.ts) — so they are wired here with factories. The loop only runs when
 * `bisk run-enforcer` or ENFORCER_EMBEDDED starts it.
 */
@Module({
  providers: [
    { provide: ENFORCER_SQL, useFactory: (dataSource: DataSource) => typeormSql(dataSource), inject: [getDataSourceToken()] },
    { provide: EnforcerRepository, useFactory: (sql: Sql) => new EnforcerRepository(sql), inject: [ENFORCER_SQL] },
    { provide: LeaseRepository, useFactory: (sql: Sql) => new LeaseRepository(sql), inject: [ENFORCER_SQL] },
    { provide: Breadcrumbs, useFactory: (cache: Cache, config: AppConfig) => new Breadcrumbs(cache, config.enforcer.nodeName), inject: [CACHE_MANAGER, AppConfig] },
    EnforcerMetrics,
    ProcessAdapter,
    Clock,
    {
      provide: EnforcerService,
      useFactory: (config: AppConfig, repo: EnforcerRepository, processes: ProcessAdapter, clock: Clock, metrics: EnforcerMetrics) =>
        new EnforcerService(config, repo, processes, clock, metrics),
      inject: [AppConfig, EnforcerRepository, ProcessAdapter, Clock, EnforcerMetrics],
    },
    {
      provide: EnforcerLoop,
      useFactory: (config: AppConfig, enforcer: EnforcerService, leases: LeaseRepository, breadcrumbs: Breadcrumbs, clock: Clock, metrics: EnforcerMetrics) =>
        new EnforcerLoop(config, enforcer, leases, breadcrumbs, clock, metrics),
      inject: [AppConfig, EnforcerService, LeaseRepository, Breadcrumbs, Clock, EnforcerMetrics],
    },
    {
      provide: StatusService,
      useFactory: (config: AppConfig, breadcrumbs: Breadcrumbs, repo: EnforcerRepository, clock: Clock) => new StatusService(config, breadcrumbs, repo, clock),
      inject: [AppConfig, Breadcrumbs, EnforcerRepository, Clock],
    },
  ],
  exports: [EnforcerMetrics, EnforcerService, EnforcerLoop, EnforcerRepository, LeaseRepository, ProcessAdapter, Breadcrumbs, StatusService],
})
export class EnforcerModule {}
