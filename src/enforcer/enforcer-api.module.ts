import { Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EmbeddedEnforcer } from './embedded-enforcer.js';
import { EnforcerController } from './enforcer.controller.js';
import { EnforcerModule } from './enforcer.module.js';
import { RunnerProcessReader } from './proc-stats.js';
import { RunnerDetailsController } from './runner-details.controller.js';
import { RunnerDetails } from './runner-details.service.js';

/** The enforcer's HTTP face (status, plan, events, runners and their processes and logs, enforce-now); only the HTTP app loads it. */
@Module({
  imports: [EnforcerModule],
  controllers: [EnforcerController, RunnerDetailsController],
  providers: [Clock, EmbeddedEnforcer, RunnerDetails, RunnerProcessReader],
  exports: [RunnerDetails, RunnerProcessReader],
})
export class EnforcerApiModule {}
