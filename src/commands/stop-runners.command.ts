import { Command, CommandRunner, Option } from 'nest-commander';
import { AppConfig } from '../config/app-config.js';
import { parsePositiveInt } from './command-error.js';
import { stopRunnersCommand } from './enforcer-commands.js';

/** Declared for `bisk --help`; cli.ts runs it without Nest (enforcer-commands.ts). */
@Command({ name: 'stop-runners', description: 'Stop runner processes of this node (all, or one camera/profile)' })
export class StopRunnersCommand extends CommandRunner {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(_args: string[], options: { camera?: number; profile?: number }): Promise<void> {
    await stopRunnersCommand(this.config, options);
  }

  @Option({ flags: '--camera <id>', description: 'only this camera' })
  parseCamera(value: string): number {
    return parsePositiveInt('--camera', value);
  }

  @Option({ flags: '--profile <id>', description: 'only this profile' })
  parseProfile(value: string): number {
    return parsePositiveInt('--profile', value);
  }
}
