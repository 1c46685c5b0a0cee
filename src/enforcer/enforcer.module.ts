import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock } from '../common/clock.js';
import { Breadcrumbs } from './breadcrumbs.js';
import { EnforcerEvent } from './enforcer-event.entity.js';
import { EnforcerLease } from './enforcer-lease.entity.js';
import { EnforcerLoop } from './enforcer.loop.js';
import { EnforcerMetrics } from './enforcer.metrics.js';
import { EnforcerRepository } from './enforcer.repository.js';
import { EnforcerService } from './enforcer.service.js';
import { LeaseRepository } from './lease.repository.js';
import { ProcessAdapter } from './process.adapter.js';
import { RunnerHeartbeat } from './runner-heartbeat.entity.js';
import { StatusService } from './status.service.js';
import { Runner } from './runner.entity.js';

/**
 * The reconcile loop and what it stands on: the tick (EnforcerService), its timing and
 * single-instance guard (EnforcerLoop), processes, rows, events and breadcrumbs. The loop only
 * runs when `bisk run-enforcer` (or ENFORCER_EMBEDDED) starts it.
 */
@Module({
  imports: [ScheduleModule.forRoot(), TypeOrmModule.forFeature([Runner, RunnerHeartbeat, EnforcerEvent, EnforcerLease])],
  providers: [EnforcerMetrics, EnforcerService, EnforcerLoop, EnforcerRepository, LeaseRepository, ProcessAdapter, Breadcrumbs, StatusService, Clock],
  exports: [EnforcerMetrics, EnforcerService, EnforcerLoop, EnforcerRepository, LeaseRepository, ProcessAdapter, Breadcrumbs, StatusService],
})
export class EnforcerModule {}
