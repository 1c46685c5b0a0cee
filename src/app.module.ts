import { type DynamicModule, Module } from '@nestjs/common';
import { StateStoreModule } from './state/state-store.module.js';
import { CamerasModule } from './cameras/cameras.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { ConsoleModule } from './console/console.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EnforcerApiModule } from './enforcer/enforcer-api.module.js';
import { HeartbeatsModule } from './heartbeats/heartbeats.module.js';
import { SchedulesModule } from './schedules/schedules.module.js';
import { SystemModule } from './system/system.module.js';

/** The HTTP app: core (config, database) plus the feature modules in data-flow order. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(),
        StateStoreModule.forRoot(),
        CamerasModule,
        SchedulesModule,
        EnforcerApiModule,
        HeartbeatsModule,
        SystemModule,
        ConsoleModule,
      ],
    };
  }
}
