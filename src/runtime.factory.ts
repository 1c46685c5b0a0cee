import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { AppConfig } from './config/app-config.js';

/**
 * Opens what a CLI command needs, only when it runs, so `bisk --help`, `bisk config` and the
 * reference runner never touch the database or load TypeORM.
 */
@Injectable()
export class RuntimeFactory {
  constructor(private readonly config: AppConfig) {}

  async with<T>(fn: (context: INestApplicationContext) => Promise<T>): Promise<T> {
    const [{ NestFactory }, { RuntimeModule }, { BiskLogger }] = await Promise.all([
      import('@nestjs/core'),
      import('./runtime.module.js'),
      import('./common/logger.js'),
    ]);
    const context = await NestFactory.createApplicationContext(RuntimeModule.forRoot(this.config), {
      logger: new BiskLogger(this.config.logLevel),
      abortOnError: false,
    });
    try {
      return await fn(context);
    } finally {
      await context.close();
    }
  }
}
