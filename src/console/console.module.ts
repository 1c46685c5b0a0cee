import { Module } from '@nestjs/common';
import { CamerasModule } from '../cameras/cameras.module.js';
import { Clock } from '../common/clock.js';
import { EnforcerApiModule } from '../enforcer/enforcer-api.module.js';
import { EnforcerModule } from '../enforcer/enforcer.module.js';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { SchedulesModule } from '../schedules/schedules.module.js';
import { AssetsController } from './assets.controller.js';
import { CameraPages } from './cameras.page.js';
import { ConsolePages } from './console.pages.js';
import { EventPages } from './events.page.js';
import { HeartbeatPages } from './heartbeats.page.js';
import { ConsoleIndex } from './index.page.js';
import { PolicyPages } from './policies.page.js';
import { ProfilePages } from './profiles.page.js';
import { ResourcePages } from './resources.page.js';
import { RunnerPages } from './runners.page.js';

/**
 * The operator console under /dash/: server-rendered pages (Eta templates in views/) over the same
 * services as the JSON API, so a form shows exactly the API's validation messages.
 */
@Module({
  imports: [CamerasModule, SchedulesModule, EnforcerModule, EnforcerApiModule, HeartbeatsModule],
  controllers: [ConsoleIndex, AssetsController, CameraPages, ProfilePages, PolicyPages, ResourcePages, RunnerPages, EventPages, HeartbeatPages],
  providers: [ConsolePages, Clock],
})
export class ConsoleModule {}
