import { DateTime } from 'luxon';
import { Command, Option } from 'nest-commander';
import { BiskCommand } from './command-error.js';
import { AppConfig } from '../config/app-config.js';
import { StatusService } from '../enforcer/status.service.js';

@Command({ name: 'status', description: 'Show the enforcer breadcrumbs and runner tallies' })
export class StatusCommand extends BiskCommand {
  constructor(
    private readonly config: AppConfig,
    private readonly status: StatusService,
  ) {
    super();
  }

  async run(_args: string[], options: { json?: boolean }): Promise<void> {
    const status = await this.status.status();
    if (options.json) {
      console.log(JSON.stringify(status, null, 2));
      return;
    }
    const e = status.enforcer;
    const when = (iso: string | null) => (iso ? DateTime.fromISO(iso, { zone: this.config.timeZone }).toFormat('yyyy-LL-dd HH:mm:ss') : '—');
    const r = status.runners;
    console.log(
      [
        `Enforcer:  ${e.alive ? 'running' : 'not running'}${e.runningPid ? ` (pid ${e.runningPid}${e.node ? ` on ${e.node}` : ''})` : ''}`,
        `PID:       ${e.runningPid ?? '—'}`,
        `Last run:  ${when(e.lastRun)}${e.lastRunAgeSeconds !== null ? ` (${e.lastRunAgeSeconds} s ago)` : ''}`,
        `Last OK:   ${when(e.lastOk)}`,
        `Last error: ${e.lastError ?? '—'}`,
        `Interval:  ${e.intervalSeconds ?? this.config.enforcer.intervalSeconds} s; next wake-up ${when(e.nextWake)}`,
        `Runners:   ${r.total} row(s): ${Object.entries(r.byStatus).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
        `Heartbeats: online ${r.heartbeat.online}, stale ${r.heartbeat.stale}, offline ${r.heartbeat.offline}, none yet ${r.heartbeat.never}`,
      ].join('\n'),
    );
  }

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}
