import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { STATE_STORE, type StateStore } from '../state/state-store.js';
import { Breadcrumbs } from './breadcrumbs.js';
import { EnforcerMetrics } from './enforcer.metrics.js';
import { EnforcerReadModel } from './enforcer.read-model.js';
import { ForecastService } from './forecast.service.js';
import { EnforcerRepository } from './enforcer.repository.js';
import { EnforcerScheduler } from './enforcer.scheduler.js';
import { EnforcerService } from './enforcer.service.js';
import { Handover } from './handover.js';
import { LeaseRepository } from './lease.repository.js';
import { NodePresence } from './presence.js';
import { EnforcerLock } from './lock.adapter.js';
import { ProcessAdapter } from './process.adapter.js';
import { RunnerExecutor } from './runner.executor.js';
import { RunnerObserver } from './runner.observer.js';
import { StatusService } from './status.service.js';
import { TrackedRunners } from './tracked-runners.js';

/**
 * The enforcer, composed here and nowhere else, for every host: the HTTP app (which runs it
 * with ENFORCER_EMBEDDED), `bisk demo`, and the CLI's standalone context that systemd runs
 * (`bisk run-enforcer`). Its recurring work is the EnforcerScheduler, an @nestjs/schedule
 * provider guarded by the lock (EnforcerLock). What it stands on comes from the host as
 * tokens: AppConfig, SQL_PORT (sql.ts: over TypeORM's connection in the app, a direct one in
 * the CLI) and STATE_STORE (state-store.ts). It loads no ORM, HTTP or Swagger code itself.
 *
 * The tick: EnforcerService → RunnerObserver (what runs) → desired.ts/plan.ts (pure) →
 * Handover (pairs changing node) → RunnerExecutor (spawn, signal, record).
 */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [
    EnforcerRepository,
    EnforcerReadModel,
    LeaseRepository,
    NodePresence,
    { provide: Breadcrumbs, useFactory: (store: StateStore, config: AppConfig) => new Breadcrumbs(store, config.enforcer.nodeName), inject: [STATE_STORE, AppConfig] },
    EnforcerMetrics,
    ProcessAdapter,
    Clock,
    TrackedRunners,
    Handover,
    RunnerExecutor,
    RunnerObserver,
    EnforcerService,
    EnforcerLock,
    EnforcerScheduler,
    StatusService,
    ForecastService,
  ],
  exports: [EnforcerScheduler, EnforcerService, EnforcerRepository, RunnerExecutor, EnforcerReadModel, LeaseRepository, Breadcrumbs, StatusService, EnforcerMetrics, ForecastService],
})
export class EnforcerModule {}
