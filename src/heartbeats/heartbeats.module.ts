import { Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { SystemModule } from '../system/system.module.js';
import { HeartbeatsRepository } from './heartbeats.repository.js';
import { HeartbeatsService } from './heartbeats.service.js';

/** Runner heartbeats in: telemetry onto the runner row, sampled history rows. */
@Module({
  imports: [SystemModule],
  providers: [HeartbeatsService, HeartbeatsRepository, Clock],
  exports: [HeartbeatsService],
})
export class HeartbeatsModule {}
