import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigCommand } from './commands/config.command.js';
import { DemoCommand } from './commands/demo.command.js';
import { EnforceCommand } from './commands/enforce.command.js';
import { MigrateCommand } from './commands/migrate.command.js';
import { PruneHeartbeatsCommand } from './commands/prune-heartbeats.command.js';
import { RunEnforcerCommand } from './commands/run-enforcer.command.js';
import { RunnerCommand } from './commands/runner.command.js';
import { StatusCommand } from './commands/status.command.js';
import { StopRunnersCommand } from './commands/stop-runners.command.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { RuntimeFactory } from './runtime.factory.js';

/**
 * The `bisk` CLI: thin commands over the same modules as the HTTP app. The root context holds
 * only config and the commands; a command that needs the database opens the runtime
 * (database, cache, enforcer) itself, so help and the reference runner stay light.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config)],
      providers: [
        RuntimeFactory,
        MigrateCommand, ConfigCommand, RunEnforcerCommand, EnforceCommand, StopRunnersCommand, StatusCommand, PruneHeartbeatsCommand, RunnerCommand, DemoCommand,
      ],
    };
  }
}
