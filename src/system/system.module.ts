import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Clock } from '../common/clock.js';
import { EnforcerModule } from '../enforcer/enforcer.module.js';
import { HealthController } from './health.controller.js';
import { SystemHealthIndicators } from './health.indicators.js';

/** Health (Terminus), host stats, metrics and the dashboard. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), EnforcerModule],
  controllers: [HealthController],
  providers: [SystemHealthIndicators, Clock],
})
export class SystemModule {}
