import type { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import type { Breadcrumbs, EnforcerBreadcrumbs } from './breadcrumbs.js';
import type { EnforcerRepository } from './enforcer.repository.js';

export interface RunnerTallies {
  total: number;
  byStatus: Record<string, number>;
  /** Live runners by heartbeat age: online ≤ HEARTBEAT_ONLINE_SEC < stale ≤ HEARTBEAT_STALE_SEC < offline; never = no heartbeat yet. */
  heartbeat: { online: number; stale: number; offline: number; never: number };
}

export interface EnforcerStatus {
  enforcer: EnforcerBreadcrumbs & { alive: boolean; lastRunAgeSeconds: number | null };
  runners: RunnerTallies;
}

/** Is an enforcer running? Its PID breadcrumb is set and it ticked within three intervals. */
export function enforcerAlive(b: EnforcerBreadcrumbs, now: Date): boolean {
  if (!b.runningPid || !b.lastRun) return false;
  const interval = b.intervalSeconds ?? 15;
  return now.getTime() - Date.parse(b.lastRun) <= (3 * interval + 5) * 1000;
}

export function heartbeatCategory(lastHeartbeatAt: Date | null, now: Date, onlineSec: number, staleSec: number): 'online' | 'stale' | 'offline' | 'never' {
  if (!lastHeartbeatAt) return 'never';
  const age = (now.getTime() - lastHeartbeatAt.getTime()) / 1000;
  return age <= onlineSec ? 'online' : age <= staleSec ? 'stale' : 'offline';
}

/** The enforcer's breadcrumbs and runner tallies, for `bisk status` and `GET /api/enforcer/status`. */
export class StatusService {
  constructor(
    private readonly config: AppConfig,
    private readonly breadcrumbs: Breadcrumbs,
    private readonly repo: EnforcerRepository,
    private readonly clock: Clock,
  ) {}

  async status(): Promise<EnforcerStatus> {
    const now = this.clock.now();
    const [crumbs, runners] = await Promise.all([
      this.breadcrumbs.read(),
      this.repo.runnerStates(),
    ]);
    const tallies: RunnerTallies = { total: runners.length, byStatus: {}, heartbeat: { online: 0, stale: 0, offline: 0, never: 0 } };
    for (const runner of runners) {
      tallies.byStatus[runner.status] = (tallies.byStatus[runner.status] ?? 0) + 1;
      if (runner.pid !== null) {
        tallies.heartbeat[heartbeatCategory(runner.lastHeartbeatAt, now, this.config.heartbeats.onlineSec, this.config.heartbeats.staleSec)]++;
      }
    }
    return {
      enforcer: {
        ...crumbs,
        alive: enforcerAlive(crumbs, now),
        lastRunAgeSeconds: crumbs.lastRun ? Math.round((now.getTime() - Date.parse(crumbs.lastRun)) / 1000) : null,
      },
      runners: tallies,
    };
  }
}
