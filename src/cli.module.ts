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
import { SqlModule } from './database/sql.module.js';
import { EnforcerModule } from './enforcer/enforcer.module.js';
import { HeartbeatHistory } from './heartbeats/heartbeat-history.js';
import { StateStoreModule } from './state/state-store.module.js';

/**
 * The `bisk` CLI's standalone context (nest-commander), what systemd runs: config, the SQL port
 * over a direct connection, the state store and the EnforcerModule — nothing of the HTTP
 * stack, no TypeORM. Connections open on first use, so `--help`, `config` and `runner` touch
 * no database. Commands are thin: parse options, call a service, print.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), SqlModule.forRoot(), StateStoreModule.forRoot(), EnforcerModule],
      providers: [
        HeartbeatHistory,
        RunEnforcerCommand, EnforceCommand, StatusCommand, StopRunnersCommand, PruneHeartbeatsCommand, MigrateCommand, ConfigCommand, RunnerCommand, DemoCommand,
      ],
    };
  }
}
