import { Command, Option } from 'nest-commander';
import { HeartbeatHistory } from '../heartbeats/heartbeat-history.js';
import { BiskCommand, parsePositiveInt } from './command-error.js';

interface Options {
  days?: number;
  hours?: number;
  minutes?: number;
}

@Command({ name: 'prune-heartbeats', description: 'Delete stored heartbeats older than the given age (default 7 days)' })
export class PruneHeartbeatsCommand extends BiskCommand {
  constructor(private readonly history: HeartbeatHistory) {
    super();
  }

  async run(_args: string[], options: Options): Promise<void> {
    const given = options.days !== undefined || options.hours !== undefined || options.minutes !== undefined;
    const minutes = given ? (options.days ?? 0) * 1440 + (options.hours ?? 0) * 60 + (options.minutes ?? 0) : 7 * 1440;
    const cutoff = new Date(Date.now() - minutes * 60_000);
    const deleted = await this.history.prune(cutoff);
    console.log(`Deleted ${deleted} heartbeat row(s) older than ${cutoff.toISOString()}.`);
  }

  @Option({ flags: '--days <n>', description: 'age in days' })
  parseDays(value: string): number {
    return parsePositiveInt('--days', value, 36500);
  }

  @Option({ flags: '--hours <n>', description: 'age in hours' })
  parseHours(value: string): number {
    return parsePositiveInt('--hours', value, 876000);
  }

  @Option({ flags: '--minutes <n>', description: 'age in minutes' })
  parseMinutes(value: string): number {
    return parsePositiveInt('--minutes', value, 52560000);
  }
}
