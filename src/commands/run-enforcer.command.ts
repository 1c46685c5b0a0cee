import { Logger } from '@nestjs/common';
import { Command, Option } from 'nest-commander';
import { BiskLogger } from '../common/logger.js';
import { AppConfig } from '../config/app-config.js';
import { EnforcerScheduler } from '../enforcer/enforcer.scheduler.js';
import { BiskCommand, parsePositiveInt } from './command-error.js';

interface Options {
  interval?: number;
  lockFile?: string;
}

/**
 * `bisk run-enforcer`: what systemd's ExecStart runs. Takes the lock, starts the
 * EnforcerModule's scheduler in this context, and waits for SIGTERM/SIGINT — handled here
 * rather than by Nest's shutdown hooks (which re-raise the signal: systemd would see 143), so
 * a stop finishes the tick, stops the runners gracefully and exits 0.
 */
@Command({ name: 'run-enforcer', description: 'Run the enforcer until SIGTERM/SIGINT (what systemd runs)' })
export class RunEnforcerCommand extends BiskCommand {
  private readonly logger = new Logger('Enforcer');

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: EnforcerScheduler,
  ) {
    super();
  }

  async run(_args: string[], options: Options): Promise<void> {
    // The service logs at LOG_LEVEL (one-shot commands keep to warnings).
    Logger.overrideLogger(new BiskLogger(this.config.logLevel));
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      process.on('SIGTERM', () => resolve('SIGTERM'));
      process.on('SIGINT', () => resolve('SIGINT'));
    });
    await this.scheduler.start(options.interval, options.lockFile);
    console.log('Enforcer started. Press Ctrl+C to stop.');
    const signal = await stopped;
    this.logger.log(`${signal} received: finishing the current tick and stopping runners...`);
    await this.scheduler.stop();
    console.log('Enforcer stopped.');
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
