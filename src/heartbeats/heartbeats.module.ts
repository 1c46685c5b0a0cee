import { Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EnforcerModule } from '../enforcer/enforcer.module.js';
import { SystemModule } from '../system/system.module.js';
import { HeartbeatHistory } from './heartbeat-history.js';
import { HeartbeatHistoryController } from './heartbeat-history.controller.js';
import { HeartbeatsRepository } from './heartbeats.repository.js';
import { HeartbeatsService } from './heartbeats.service.js';

/** Runner heartbeats in: telemetry onto the runner row, sampled history rows; the history read and pruned through the API. */
@Module({
  imports: [SystemModule, EnforcerModule],
  controllers: [HeartbeatHistoryController],
  providers: [HeartbeatsService, HeartbeatsRepository, HeartbeatHistory, Clock],
  exports: [HeartbeatsService, HeartbeatHistory],
})
export class HeartbeatsModule {}
