import type { StateStore } from '../state/state-store.js';
import type { TickResult } from './enforcer.service.js';

/** What the enforcer leaves behind for the HTTP app and `bisk status` (§5), original key names kept. */
export interface EnforcerBreadcrumbs {
  runningPid: number | null;
  node: string | null;
  /** Host name of the enforcer process (a PID means something only there). */
  host: string | null;
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

/** State-store keys of one node's breadcrumbs (every node has its own: several hosts share one Redis). */
export function keysFor(node: string) {
  const k = (name: string) => `enforcer:${node}:${name}`;
  return {
    runningPid: k('running_pid'),
    node: k('node'),
    host: k('host'),
    lastRun: k('last_run'),
    lastOk: k('last_ok'),
    lastError: k('last_error'),
    intervalSeconds: k('interval'),
    nextWake: k('next_wake'),
    lastTick: k('last_tick'),
    startedAt: k('started_at'),
    metrics: k('metrics'),
    enforceRequestedAt: k('enforce_requested_at'),
  } as const;
}

type Keys = ReturnType<typeof keysFor>;

/**
 * One node's breadcrumbs in the state store (state-store.ts). Without REDIS_URL the store is a
 * file on this host; with it, every HTTP app sees every node's enforcer (`forNode`).
 */
export class Breadcrumbs {
  private readonly keys: Keys;

  constructor(
    private readonly store: StateStore,
    readonly node: string,
  ) {
    this.keys = keysFor(node);
  }

  /** The same store, another node's keys. */
  forNode(node: string): Breadcrumbs {
    return node === this.node ? this : new Breadcrumbs(this.store, node);
  }

  async write(values: Partial<EnforcerBreadcrumbs>): Promise<void> {
    await Promise.all(
      Object.entries(values).map(([name, value]) => this.store.set(this.keys[name as keyof EnforcerBreadcrumbs], value)),
    );
  }

  async read(): Promise<EnforcerBreadcrumbs> {
    const names = Object.keys(this.keys).filter((k) => k !== 'enforceRequestedAt' && k !== 'metrics') as (keyof EnforcerBreadcrumbs)[];
    const values = await Promise.all(names.map((name) => this.store.get(this.keys[name])));
    return Object.fromEntries(names.map((name, i) => [name, values[i] ?? null])) as unknown as EnforcerBreadcrumbs;
  }

  async enforcerMetrics(): Promise<string | null> {
    return (await this.store.get<string>(this.keys.metrics)) ?? null;
  }

  async clearRunning(): Promise<void> {
    await this.store.set(this.keys.runningPid, null);
  }

  /** "Enforce now" from an HTTP app: a timestamp this node's running enforcer watches. */
  async requestEnforce(at: Date): Promise<void> {
    await this.store.set(this.keys.enforceRequestedAt, at.toISOString());
  }

  async enforceRequestedAt(): Promise<string | null> {
    return (await this.store.get<string>(this.keys.enforceRequestedAt)) ?? null;
  }
}
