import { Command, CommandRunner, Option } from 'nest-commander';
import { AppConfig } from '../config/app-config.js';
import { parsePositiveInt } from './command-error.js';

interface Options {
  interval?: number;
  lockFile?: string;
}

/**
 * Declares `run-enforcer` for `bisk --help`. The command itself is dispatched by cli.ts to the
 * Nest-free runtime (enforcer.runtime.ts) before Nest loads; this class only runs it when
 * reached through nest-commander.
 */
@Command({ name: 'run-enforcer', description: 'Run the enforcer until SIGTERM/SIGINT (what systemd runs)' })
export class RunEnforcerCommand extends CommandRunner {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async run(_args: string[], options: Options): Promise<void> {
    const { runEnforcerCommand } = await import('../enforcer/enforcer.runtime.js');
    const argv = [...(options.interval ? ['--interval', String(options.interval)] : []), ...(options.lockFile ? ['--lock-file', options.lockFile] : [])];
    process.exitCode = await runEnforcerCommand(this.config, argv);
  }

  @Option({ flags: '--interval <seconds>', description: 'tick interval (default ENFORCER_INTERVAL_SECONDS)' })
  parseInterval(value: string): number {
    return parsePositiveInt('--interval', value, 3600);
  }

  @Option({ flags: '--lock-file <path>', description: 'single-instance lock (default ENFORCER_LOCK_FILE)' })
  parseLockFile(value: string): string {
    return value;
  }
}
