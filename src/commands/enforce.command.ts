import { Command, CommandRunner, Option } from 'nest-commander';
import { AppConfig } from '../config/app-config.js';
import { parseInstant } from './command-error.js';
import { enforceCommand } from './enforcer-commands.js';

interface Options {
  dryRun?: boolean;
  at?: Date;
  json?: boolean;
}

/** Declared for `bisk --help`; cli.ts runs it without Nest (enforcer-commands.ts). */
@Command({ name: 'enforce', description: 'Run one enforcement tick now (or, with --dry-run, only show the plan)' })
export class EnforceCommand extends CommandRunner {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(_args: string[], options: Options): Promise<void> {
    await enforceCommand(this.config, options);
  }

  @Option({ flags: '--dry-run', description: 'show what would be done, change nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--at <iso>', description: 'with --dry-run: plan for this instant (ISO-8601)' })
  parseAt(value: string): Date {
    return parseInstant('--at', value);
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}
