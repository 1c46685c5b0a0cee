import type { Cache } from 'cache-manager';
import type { TickResult } from './enforcer.service.js';

/** What the enforcer leaves behind for the HTTP app and `bisk status` (§5), original key names kept. */
export interface EnforcerBreadcrumbs {
  runningPid: number | null;
  node: string | null;
  lastRun: string | null;
  lastOk: string | null;
  lastError: string | null;
  intervalSeconds: number | null;
  nextWake: string | null;
  lastTick: TickSummary | null;
  startedAt: string | null;
  /** The enforcer process's own metrics, Prometheus text exposition. */
  metrics: string | null;
}

/** The last tick's counts, as stored in the breadcrumbs (TickResult without its actions, `at` as ISO). */
export type TickSummary = Omit<TickResult, 'at' | 'actions' | 'wakeAt' | 'nextBoundary'> & { at: string };

export const KEYS = {
  runningPid: 'enforcer:running_pid',
  node: 'enforcer:node',
  lastRun: 'enforcer:last_run',
  lastOk: 'enforcer:last_ok',
  lastError: 'enforcer:last_error',
  intervalSeconds: 'enforcer:interval',
  nextWake: 'enforcer:next_wake',
  lastTick: 'enforcer:last_tick',
  startedAt: 'enforcer:started_at',
  metrics: 'enforcer:metrics',
  enforceRequestedAt: 'enforcer:enforce_requested_at',
} as const;

export class Breadcrumbs {
  constructor(private readonly cache: Cache) {}

  async write(values: Partial<EnforcerBreadcrumbs>): Promise<void> {
    await Promise.all(
      Object.entries(values).map(([name, value]) => this.cache.set(KEYS[name as keyof EnforcerBreadcrumbs], value)),
    );
  }

  async read(): Promise<EnforcerBreadcrumbs> {
    const names = Object.keys(KEYS).filter((k) => k !== 'enforceRequestedAt' && k !== 'metrics') as (keyof EnforcerBreadcrumbs)[];
    const values = await Promise.all(names.map((name) => this.cache.get(KEYS[name])));
    return Object.fromEntries(names.map((name, i) => [name, values[i] ?? null])) as unknown as EnforcerBreadcrumbs;
  }

  async enforcerMetrics(): Promise<string | null> {
    return (await this.cache.get<string>(KEYS.metrics)) ?? null;
  }

  async clearRunning(): Promise<void> {
    await this.cache.set(KEYS.runningPid, null);
  }

  /** "Enforce now" from the HTTP app: a timestamp the running enforcer watches. */
  async requestEnforce(at: Date): Promise<void> {
    await this.cache.set(KEYS.enforceRequestedAt, at.toISOString());
  }

  async enforceRequestedAt(): Promise<string | null> {
    return (await this.cache.get<string>(KEYS.enforceRequestedAt)) ?? null;
  }
}
