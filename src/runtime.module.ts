import { type DynamicModule, Injectable, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BiskCacheModule } from './cache/cache.module.js';
import { BiskLogger } from './common/logger.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EnforcerModule } from './enforcer/enforcer.module.js';

/**
 * What the enforcer commands need and nothing more: config, database, cache, enforcer. No
 * HTTP stack, Swagger, controllers or dashboard code is loaded for `bisk run-enforcer`.
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

/**
 * Opens the runtime (database, cache, enforcer) only for commands that need it, so `bisk
 * --help`, `bisk config` and the reference runner start without touching the database.
 */
@Injectable()
export class RuntimeFactory {
  constructor(private readonly config: AppConfig) {}

  async open(): Promise<INestApplicationContext> {
    const context = await NestFactory.createApplicationContext(RuntimeModule.forRoot(this.config), {
      logger: new BiskLogger(this.config.logLevel),
      abortOnError: false,
    });
    return context;
  }

  async with<T>(fn: (context: INestApplicationContext) => Promise<T>): Promise<T> {
    const context = await this.open();
    try {
      return await fn(context);
    } finally {
      await context.close();
    }
  }
}
