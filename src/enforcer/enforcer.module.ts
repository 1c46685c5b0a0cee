import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnforcerEvent } from './enforcer-event.entity.js';
import { RunnerHeartbeat } from './runner-heartbeat.entity.js';
import { Runner } from './runner.entity.js';

/** The reconcile loop's home: runners, heartbeats and events (the loop itself builds on these tables). */
@Module({
  imports: [TypeOrmModule.forFeature([Runner, RunnerHeartbeat, EnforcerEvent])],
})
export class EnforcerModule {}
