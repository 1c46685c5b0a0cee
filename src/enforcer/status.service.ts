import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { Breadcrumbs, type EnforcerBreadcrumbs } from './breadcrumbs.js';
import { EnforcerReadModel } from './enforcer.read-model.js';

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

export interface EnforcerLiveness {
  /** An enforcer process is running and ticking: its PID breadcrumb is set and it started a tick within the limit. */
  alive: boolean;
  /** Alive, and its last *successful* tick is within the limit too (what /health calls up). */
  healthy: boolean;
  /** Seconds since the last successful tick (null: none recorded). */
  lastOkAgeSeconds: number | null;
  /** Three intervals and 5 s of slack. */
  limitSeconds: number;
  /** Why it is not healthy, in an operator's words (null when healthy). */
  reason: string | null;
}

/**
 * The one definition of "the enforcer is alive", shared by `bisk status`, GET /api/enforcer/status,
 * POST /api/enforcer/enforce, /health, /metrics and the dashboard.
 */
export function enforcerLiveness(b: EnforcerBreadcrumbs, now: Date, defaultIntervalSeconds = 15): EnforcerLiveness {
  const limitSeconds = 3 * (b.intervalSeconds ?? defaultIntervalSeconds) + 5;
  const age = (iso: string | null) => (iso ? Math.round((now.getTime() - Date.parse(iso)) / 1000) : null);
  const lastOkAge = age(b.lastOk);
  const lastTickAge = Math.min(age(b.lastRun) ?? Infinity, lastOkAge ?? Infinity);
  const alive = Boolean(b.runningPid) && lastTickAge <= limitSeconds;
  const reason =
    lastOkAge === null
      ? 'no successful enforcer tick recorded yet'
      : lastOkAge > limitSeconds
        ? `last successful tick ${lastOkAge} s ago (limit ${limitSeconds} s)`
        : !alive
          ? 'no enforcer is running (the last tick came from a one-off `bisk enforce`)'
          : null;
  return { alive, healthy: reason === null, lastOkAgeSeconds: lastOkAge, limitSeconds, reason };
}

export function heartbeatCategory(lastHeartbeatAt: Date | null, now: Date, onlineSec: number, staleSec: number): 'online' | 'stale' | 'offline' | 'never' {
  if (!lastHeartbeatAt) return 'never';
  const age = (now.getTime() - lastHeartbeatAt.getTime()) / 1000;
  return age <= onlineSec ? 'online' : age <= staleSec ? 'stale' : 'offline';
}

/** The enforcer's breadcrumbs and runner tallies, for `bisk status` and `GET /api/enforcer/status`. */
@Injectable()
export class StatusService {
  constructor(
    private readonly config: AppConfig,
    private readonly breadcrumbs: Breadcrumbs,
    private readonly readModel: EnforcerReadModel,
    private readonly clock: Clock,
  ) {}

  async status(): Promise<EnforcerStatus> {
    const now = this.clock.now();
    const [crumbs, runners] = await Promise.all([
      this.breadcrumbs.read(),
      this.readModel.runnerStates(),
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
        alive: enforcerLiveness(crumbs, now, this.config.enforcer.intervalSeconds).alive,
        lastRunAgeSeconds: crumbs.lastRun ? Math.round((now.getTime() - Date.parse(crumbs.lastRun)) / 1000) : null,
      },
      runners: tallies,
    };
  }
}
