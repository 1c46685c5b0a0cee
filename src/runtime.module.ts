import { type DynamicModule, Module } from '@nestjs/common';
import { BiskCacheModule } from './cache/cache.module.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EnforcerModule } from './enforcer/enforcer.module.js';

/**
 * The Nest runtime context for CLI commands that need the ORM (`prune-heartbeats`): config,
 * database, cache, enforcer; no HTTP stack, Swagger, controllers or dashboard code.
 */
@Module({})
export class RuntimeModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: RuntimeModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(), BiskCacheModule.forRoot(), EnforcerModule],
    };
  }
}
