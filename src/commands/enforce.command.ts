import { Command, CommandRunner, Option } from 'nest-commander';
import { AppConfig } from '../config/app-config.js';
import { EnforcerLoop } from '../enforcer/enforcer.loop.js';
import { EnforcerService } from '../enforcer/enforcer.service.js';
import { describePlan, previewToJson } from '../enforcer/plan.view.js';
import { RuntimeFactory } from '../runtime.module.js';
import { CommandError } from './command-error.js';

interface Options {
  dryRun?: boolean;
  at?: Date;
  json?: boolean;
}

@Command({ name: 'enforce', description: 'Run one enforcement tick now (or, with --dry-run, only show the plan)' })
export class EnforceCommand extends CommandRunner {
  constructor(
    private readonly config: AppConfig,
    private readonly runtime: RuntimeFactory,
  ) {
    super();
  }

  async run(_args: string[], options: Options): Promise<void> {
    if (options.at && !options.dryRun) throw new CommandError('--at only works with --dry-run (a real tick always runs at the current time)');
    await this.runtime.with(async (context) => {
      if (options.dryRun) {
        const preview = await context.get(EnforcerService).preview(options.at);
        console.log(options.json ? JSON.stringify(previewToJson(preview), null, 2) : describePlan(preview, this.config.timeZone));
        return;
      }
      const result = await context.get(EnforcerLoop).once();
      const summary = `Enforced. Started: ${result.started + result.restarted}, Stopped: ${result.stopped}, Desired=${result.desired}, Running(before)=${result.runningBefore}`;
      console.log(options.json ? JSON.stringify({ ...result, summary }, null, 2) : summary);
    });
  }

  @Option({ flags: '--dry-run', description: 'show what would be done, change nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--at <iso>', description: 'with --dry-run: plan for this instant (ISO-8601)' })
  parseAt(value: string): Date {
    const at = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) {
      throw new CommandError(`--at must be an ISO-8601 date-time such as 2026-12-01T08:00:00+03:00 (got "${value}")`);
    }
    return at;
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}
