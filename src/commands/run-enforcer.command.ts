import { Command, CommandRunner, Option } from 'nest-commander';
import { AppConfig } from '../config/app-config.js';
import { acquireLock, EnforcerLoop } from '../enforcer/enforcer.loop.js';
import { RuntimeFactory } from '../runtime.module.js';
import { parsePositiveInt } from './command-error.js';

interface Options {
  interval?: number;
  lockFile?: string;
}

@Command({ name: 'run-enforcer', description: 'Run the enforcer until SIGTERM/SIGINT (what systemd runs)' })
export class RunEnforcerCommand extends CommandRunner {
  constructor(
    private readonly runtime: RuntimeFactory,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(_args: string[], options: Options): Promise<void> {
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    // The lock first: a second instance is refused before it opens the database.
    const lock = acquireLock(options.lockFile ?? this.config.enforcer.lockFile);
    await this.runtime.with(async (context) => {
      const loop = context.get(EnforcerLoop);
      await loop.start(lock, options.interval);
      console.log('Enforcer started. Press Ctrl+C to stop.');
      const signal = await stopped;
      console.log(`${signal} received: finishing the current tick and stopping runners...`);
      await loop.stop();
      console.log('Enforcer stopped.');
    });
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
