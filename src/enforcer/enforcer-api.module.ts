import { Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EmbeddedEnforcer } from './embedded-enforcer.js';
import { EnforcerController } from './enforcer.controller.js';
import { EnforcerModule } from './enforcer.module.js';

/** The enforcer's HTTP face (status, plan, events, runners, enforce-now); only the HTTP app loads it. */
@Module({
  imports: [EnforcerModule],
  controllers: [EnforcerController],
  providers: [Clock, EmbeddedEnforcer],
})
export class EnforcerApiModule {}
