import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Clock } from '../common/clock.js';
import { EnforcerModule } from '../enforcer/enforcer.module.js';
import { DashboardController } from './dashboard.controller.js';
import { HealthController } from './health.controller.js';
import { SystemHealthIndicators } from './health.indicators.js';
import { HostStatsCollector } from './host-stats.collector.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { SystemController } from './system.controller.js';
import { SystemService } from './system.service.js';

/** Health (Terminus), host stats, metrics and the dashboard. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), EnforcerModule],
  controllers: [HealthController, SystemController, MetricsController, DashboardController],
  providers: [SystemHealthIndicators, HostStatsCollector, SystemService, MetricsService, Clock],
  exports: [HostStatsCollector, SystemService, MetricsService],
})
export class SystemModule {}
