import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigCommand } from './commands/config.command.js';
import { MigrateCommand } from './commands/migrate.command.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';

/**
 * The `bisk` CLI: the commands and only the modules they need. No HTTP stack, Swagger
 * or dashboard code is loaded here; commands that need the database open it themselves.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config)],
      providers: [MigrateCommand, ConfigCommand],
    };
  }
}
