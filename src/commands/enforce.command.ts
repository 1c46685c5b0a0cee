import { Command, Option } from 'nest-commander';
import { AppConfig } from '../config/app-config.js';
import { EnforcerScheduler } from '../enforcer/enforcer.scheduler.js';
import { EnforcerService } from '../enforcer/enforcer.service.js';
import { describePlan, previewToJson } from '../enforcer/plan.view.js';
import { BiskCommand, CommandError, parseInstant } from './command-error.js';

interface Options {
  dryRun?: boolean;
  at?: Date;
  json?: boolean;
}

@Command({ name: 'enforce', description: 'Run one enforcement tick now (or, with --dry-run, only show the plan)' })
export class EnforceCommand extends BiskCommand {
  constructor(
    private readonly config: AppConfig,
    private readonly enforcer: EnforcerService,
    private readonly scheduler: EnforcerScheduler,
  ) {
    super();
  }

  async run(_args: string[], options: Options): Promise<void> {
    if (options.at && !options.dryRun) throw new CommandError('--at only works with --dry-run (a real tick always runs at the current time)');
    if (options.dryRun) {
      const preview = await this.enforcer.preview(options.at);
      console.log(options.json ? JSON.stringify(previewToJson(preview), null, 2) : describePlan(preview, this.config.timeZone));
      return;
    }
    const result = await this.scheduler.once();
    const summary = `Enforced. Started: ${result.started + result.restarted}, Stopped: ${result.stopped}, Desired=${result.desired}, Running(before)=${result.runningBefore}`;
    console.log(options.json ? JSON.stringify({ ...result, summary }, null, 2) : summary);
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
