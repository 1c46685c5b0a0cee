import { Command, CommandRunner, Option } from 'nest-commander';
import { AppConfig } from '../config/app-config.js';
import { statusCommand } from './enforcer-commands.js';

/** Declared for `bisk --help`; cli.ts runs it without Nest (enforcer-commands.ts). */
@Command({ name: 'status', description: 'Show the enforcer breadcrumbs and runner tallies' })
export class StatusCommand extends CommandRunner {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(_args: string[], options: { json?: boolean }): Promise<void> {
    await statusCommand(this.config, options);
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}
