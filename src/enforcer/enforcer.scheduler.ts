import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Interval, SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock.js';
import { maskCredentials } from '../common/mask.js';
import { AppConfig } from '../config/app-config.js';
import { Breadcrumbs, type TickSummary } from './breadcrumbs.js';
import { EnforcerMetrics } from './enforcer.metrics.js';
import { EnforcerService, type TickResult } from './enforcer.service.js';
import { Handover } from './handover.js';
import { NodePresence, PEER_WATCH_MS, peerWatchGapMs } from './presence.js';
import { EnforcerLock, fenceAfterMs } from './lock.adapter.js';
import { RunnerExecutor } from './runner.executor.js';

/** Names under which the enforcer's timers live in Nest's SchedulerRegistry. */
export const SCHEDULE = {
  /** The reconcile interval (ENFORCER_INTERVAL_SECONDS or --interval): registered once the lock and lease are held. */
  tick: 'enforcer-tick',
  /** The next schedule boundary or back-off end, when it comes before the next interval tick. */
  wake: 'enforcer-wake',
  /** Fires if the lease has not been renewed for most of its length (self-fencing, §9). */
  fence: 'enforcer-fence',
  /** "Enforce now" requests from an HTTP app, polled every second. */
  enforceRequests: 'enforcer-enforce-requests',
  /** The other nodes' leases and sessions, looked at every PEER_WATCH_MS on PostgreSQL (presence.ts). */
  peers: 'enforcer-peers',
  /** Keeps the lease renewed while a long tick runs (a first tick claiming a thousand cameras, a slow database). */
  lease: 'enforcer-lease',
} as const;

/** How often a running tick's lease age is looked at (no statement unless it is due). */
export const LEASE_KEEP_MS = 500;

/** How long the other nodes wait for a stopped enforcer's node to come back before moving its cameras (at most its lease). */
export const STOP_GRACE_MS = 10_000;

/** The metrics exposition goes to the state store after a tick at most this often (a typical scrape interval). */
export const METRICS_PUBLISH_MS = 10_000;

export function summarize({ at, actions: _actions, wakeAt: _wakeAt, nextBoundary: _next, ...counts }: TickResult): TickSummary {
  return { at: at.toISOString(), ...counts };
}

/**
 * When ticks happen (§5), the Nest way: every ENFORCER_INTERVAL_SECONDS (a SchedulerRegistry
 * interval), at the next schedule boundary (a registry timeout), right after a runner exits,
 * on "enforce now" (an @Interval poll, or SIGUSR1 on this host) — never two at once. Every
 * handler returns at once unless this process runs the enforcer and holds the lock; each tick
 * renews the node's lease and acts only with it.
 */
@Injectable()
export class EnforcerScheduler implements OnApplicationShutdown {
  private readonly logger = new Logger('Enforcer');
  private running: Promise<void> | null = null;
  private pending = false;
  /** Callers waiting for the next tick to end (the one that serves their request). */
  private waiting: { done: Promise<void>; resolve: () => void } | null = null;
  private active = false;
  private stopping = false;
  private lastEnforceRequest: string | null = null;
  private watchingPeers = false;
  /** Date.now() before which this node does not look at the others' sessions (peerWatchGapMs). */
  private nextPeerWatch = 0;
  private keepingLease = false;
  /** When the fence last fired (the clock's ms; 0: never). */
  private fencedAt = 0;
  /** When the metrics exposition was last written to the state store (Date.now()). */
  private metricsPublishedAt = 0;
  /** When the tick in progress began, the clock's ms (null between ticks). */
  private tickBegan: number | null = null;
  private readonly onSignal = () => this.guarded(() => this.request('signal'));

  constructor(
    private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly lock: EnforcerLock,
    private readonly enforcer: EnforcerService,
    private readonly executor: RunnerExecutor,
    private readonly handover: Handover,
    private readonly breadcrumbs: Breadcrumbs,
    private readonly clock: Clock,
    private readonly metrics: EnforcerMetrics,
    private readonly presence: NodePresence,
  ) {}

  /** Whether a handler may act: this process runs the enforcer and holds the single-instance lock. */
  get mayAct(): boolean {
    return this.active && !this.stopping && this.lock.lockHeld;
  }

  private guarded(fn: () => unknown): void {
    if (this.mayAct) void fn();
  }

  /**
   * Starts enforcing: takes the lock and the lease, or
   * throws EnforcerBusyError with the message to print; registers the interval and ticks once.
   */
  async start(intervalSeconds = this.config.enforcer.intervalSeconds, lockFile = this.config.enforcer.lockFile): Promise<void> {
    // The lock first: a second instance is refused before it touches the database.
    this.lock.takeLock(lockFile);
    try {
      await this.lock.renewLease(true);
    } catch (error) {
      await this.lock.release();
      throw error;
    }
    this.armFence();
    this.active = true;
    this.stopping = false;
    this.lastEnforceRequest = await this.breadcrumbs.enforceRequestedAt().catch(() => null);
    await this.breadcrumbs.write({
      runningPid: process.pid,
      node: this.enforcer.node,
      host: hostname(),
      intervalSeconds,
      startedAt: this.clock.now().toISOString(),
    });
    this.executor.warnAboutSettings();
    this.executor.onRunnerExit(() => this.guarded(() => this.request('runner exit')));
    // This node's session ended while the server kept running: the others may be taking its floating cameras over.
    this.presence.onPeersChanged((change) => {
      // None of this node's cameras move: nothing to do before the next interval.
      if (change && !change.affected.includes(this.enforcer.node)) return this.enforcer.noteLiveNodes(change.nodes);
      this.guarded(() => this.request('another node saw the live nodes change'));
    });
    this.presence.onLost((reason) => {
      if (!this.mayAct || !this.othersAround) return;
      void this.handover.fence(reason).catch((error: Error) => this.logger.error(`fencing failed: ${error.message}`));
    });
    this.executor.restartInPlaceWhen((_t, spec, now) => this.mayAct && this.lock.fresh && this.enforcer.stillWants(spec, now));
    // A start needs a fresh lease and a fresh view: the long-tick keeper keeps the lease young, but
    // a plan read more than the fence's time ago may be out of date (another node may own the pair now).
    this.executor.startWhen(() => this.lock.fresh && (this.tickBegan === null || this.clock.now().getTime() - this.tickBegan < fenceAfterMs(this.config)));
    this.registry.addInterval(SCHEDULE.tick, setInterval(() => this.onInterval(), intervalSeconds * 1000));
    process.on('SIGUSR1', this.onSignal);
    await this.request('start');
  }

  /** The reconcile interval's handler. */
  onInterval(): void {
    this.guarded(() => this.request('interval'));
  }

  /** "Enforce now" from an HTTP app (POST /api/enforcer/enforce): a timestamp in the state store. */
  @Interval(SCHEDULE.enforceRequests, 1000)
  async pollEnforceRequests(): Promise<void> {
    if (!this.mayAct || !this.lock.held) return;
    try {
      const requested = await this.breadcrumbs.enforceRequestedAt();
      if (requested && requested !== this.lastEnforceRequest) {
        this.lastEnforceRequest = requested;
        await this.request('enforce now');
      }
    } catch {
      // the state store being unavailable must not disturb the enforcer
    }
  }

  /**
   * A node joined, left, let its lease lapse or its enforcer died (its session closed): tick now,
   * not at the next interval, so that a dead node's cameras run elsewhere within about a second.
   * In a big fleet each node looks only now and then (peerWatchGapMs: a few watchers per half
   * second fleet-wide), and the one that sees a change tells the others (NodePresence.announce),
   * who tick at once too.
   */
  @Interval(SCHEDULE.peers, PEER_WATCH_MS)
  async watchPeers(): Promise<void> {
    if (!this.mayAct || !this.lock.held || !this.presence.enabled || this.watchingPeers || this.running) return;
    if (Date.now() < this.nextPeerWatch) return;
    this.watchingPeers = true;
    try {
      const change = await this.enforcer.liveNodesChange();
      if (change) {
        await this.presence.announce(change.nodes, change.affected).catch(() => undefined);
        await this.request('live nodes changed');
      }
    } catch {
      // the tick reports an unreachable database; the watch stays quiet
    } finally {
      this.nextPeerWatch = Date.now() + peerWatchGapMs(this.handover.peerCount + 1, Math.random());
      this.watchingPeers = false;
    }
  }

  /**
   * A tick renews the lease when it begins; one that runs longer than an interval (starting a
   * thousand runners one row at a time, a database that answers slowly) renews it again from
   * here, every interval while it runs — the other nodes would otherwise see the lease expire
   * and take over cameras this node is still running. A renewal that fails leaves the fence
   * armed from the last one; a lease lost to another holder stops further starts (lock.fresh).
   * Only within the tick budget (ENFORCER_TICK_BUDGET_SECONDS): a tick that hangs past it must
   * not hold the node's cameras forever — the lease runs out, the fence and the others act.
   */
  @Interval(SCHEDULE.lease, LEASE_KEEP_MS)
  async keepLease(): Promise<void> {
    if (!this.mayAct || !this.lock.held || !this.running || this.keepingLease) return;
    if (this.lock.sinceRenewMs < this.config.enforcer.intervalSeconds * 1000) return;
    // A tick past its budget is failing, not long: let the lease run out (the fence, then the others, take over).
    if (this.tickBegan !== null && this.clock.now().getTime() - this.tickBegan > this.config.enforcer.tickBudgetSeconds * 1000) return;
    this.keepingLease = true;
    try {
      await this.renew();
    } catch {
      // the tick reports an unreachable database; the fence stays armed from the last renewal
    } finally {
      this.keepingLease = false;
    }
  }

  /**
   * Asks for a tick; one already running is followed by exactly one more. Resolves when the tick
   * that serves this request has ended — not when the requests stop coming: a busy node (peers
   * joining, runners exiting during every tick) keeps ticking, and `start()` must still return.
   */
  request(reason: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (!this.waiting) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.waiting = { done, resolve };
    }
    const served = this.waiting.done;
    this.pending = true;
    // (Cleared by the loop itself when it ends, in the same step as its last look at `pending`.)
    if (!this.running) this.running = this.tickWhilePending(reason);
    return served;
  }

  private async tickWhilePending(reason: string): Promise<void> {
    try {
      while (this.pending && !this.stopping) {
        this.pending = false;
        const waiting = this.waiting;
        this.waiting = null;
        try {
          await this.tickOnce(reason);
        } finally {
          waiting?.resolve();
        }
      }
    } finally {
      this.running = null;
      // Stopping: requests not served by a tick are answered anyway.
      this.waiting?.resolve();
      this.waiting = null;
    }
  }

  private async tickOnce(reason: string): Promise<void> {
    const at = this.clock.now();
    this.tickBegan = at.getTime();
    const overrun = this.watchBudget(at, reason);
    try {
      this.enforcer.phase = 'writing its state';
      await this.breadcrumbs.write({ lastRun: at.toISOString() }).catch(() => undefined);
      await this.tickBody(at, reason, overrun);
    } finally {
      clearTimeout(overrun.timer);
      this.tickBegan = null;
      this.enforcer.phase = 'idle';
    }
  }

  /**
   * The tick budget (ENFORCER_TICK_BUDGET_SECONDS): a tick still running when it runs out — a
   * database or state store that stopped answering — is recorded as failed then (log line,
   * last_error, failure count), not whenever the link comes back. Runners are left as they are
   * and the tick is not abandoned (ticks never overlap; the statement timeouts end it). The lease
   * fence is a timer of its own, so a hung tick does not delay fencing.
   */
  private watchBudget(at: Date, reason: string): { timer: NodeJS.Timeout; fired: boolean } {
    const seconds = this.config.enforcer.tickBudgetSeconds;
    const overrun = { fired: false, timer: undefined as unknown as NodeJS.Timeout };
    overrun.timer = setTimeout(() => {
      overrun.fired = true;
      const message = `tick did not finish within ${seconds} s (ENFORCER_TICK_BUDGET_SECONDS, still ${this.enforcer.phase}): the database or state store is not answering`;
      this.metrics.tickFailures.inc();
      this.logger.error(`tick (${reason}) failed, runners left as they are: ${message}`);
      void this.breadcrumbs.write({ lastError: `${at.toISOString()} ${message}` }).catch(() => undefined);
    }, seconds * 1000);
    overrun.timer.unref();
    return overrun;
  }

  private async tickBody(at: Date, reason: string, overrun: { fired: boolean }): Promise<void> {
    try {
      this.enforcer.phase = 'renewing the lease';
      if (!(await this.renew())) return;
      const result = await this.enforcer.tick();
      this.metrics.tickDuration.observe(result.durationMs / 1000);
      const wake = this.armWake(result);
      await this.breadcrumbs.write({
        lastOk: this.clock.now().toISOString(),
        lastError: null,
        nextWake: wake?.toISOString() ?? null,
        lastTick: summarize(result),
        ...(await this.metricsDue()),
      });
      if (result.started + result.stopped + result.restarted + result.strays > 0) {
        this.logger.log(
          `tick (${reason}): desired ${result.desired}, running before ${result.runningBefore}, started ${result.started}, stopped ${result.stopped}, restarted ${result.restarted}${result.strays ? `, strays ${result.strays}` : ''} in ${result.durationMs} ms`,
        );
      }
    } catch (error) {
      const message = maskCredentials((error as Error)?.message ?? String(error));
      if (!overrun.fired) this.metrics.tickFailures.inc(); // counted once per tick
      this.logger.error(`tick failed, runners left as they are: ${message}`);
      await this.breadcrumbs.write({ lastError: `${at.toISOString()} ${message}` }).catch(() => undefined);
    }
  }

  /**
   * The exposition for the state store (the HTTP app's /metrics appends it), at most every
   * METRICS_PUBLISH_MS: collecting it reads the process's own figures (open descriptors, handles)
   * — worth doing as often as Prometheus scrapes, not on every tick of a busy node.
   */
  private async metricsDue(): Promise<{ metrics?: string }> {
    const now = Date.now();
    if (now - this.metricsPublishedAt < METRICS_PUBLISH_MS) return {};
    this.metricsPublishedAt = now;
    return { metrics: await this.metrics.exposition() };
  }

  private replaceTimeout(name: string, ms: number, fn: () => void): void {
    this.clearTimeout(name);
    const timer = setTimeout(() => {
      if (this.registry.doesExist('timeout', name) && this.registry.getTimeout(name) === timer) this.registry.deleteTimeout(name);
      fn();
    }, ms);
    timer.unref();
    this.registry.addTimeout(name, timer);
  }

  private clearTimeout(name: string): void {
    if (this.registry.doesExist('timeout', name)) this.registry.deleteTimeout(name);
  }

  /** Arms a wake-up for the next boundary/back-off end when it comes before the next interval tick. */
  private armWake(result: TickResult): Date | null {
    this.clearTimeout(SCHEDULE.wake);
    const candidates = [result.nextBoundary, result.wakeAt].filter((d): d is Date => d !== null).map((d) => d.getTime());
    if (candidates.length === 0) return null;
    const next = Math.min(...candidates);
    const delay = next - this.clock.now().getTime();
    // A few ms past the instant, so the tick sees the new side of the boundary.
    if (delay <= this.config.enforcer.intervalSeconds * 1000) this.replaceTimeout(SCHEDULE.wake, Math.max(0, delay) + 5, () => this.guarded(() => this.request('schedule boundary')));
    return new Date(next);
  }

  /**
   * Renews the lease (the tick's, or the long-tick keeper's) and arms the fence again. A renewal
   * that comes back later than the fence's time after the previous one means the fence was due —
   * its timer fired late on a busy event loop, or the renewal itself was slow — and the lease may
   * have run out in the other nodes' eyes meanwhile, so they may have taken cameras over: fence
   * now (unless the timer already did), before this node acts on its renewed lease.
   */
  private async renew(): Promise<boolean> {
    const previous = this.lock.renewedAtMs;
    if (!(await this.lock.renewLease())) return false;
    const gapMs = this.clock.now().getTime() - previous;
    if (previous > 0 && gapMs >= fenceAfterMs(this.config) && this.fencedAt < previous && this.mayAct && this.othersAround) {
      this.fencedAt = this.clock.now().getTime();
      const reason = `lease of node ${this.enforcer.node} renewed ${(gapMs / 1000).toFixed(1)} s after the previous renewal, later than the fence allows (${Math.round(fenceAfterMs(this.config) / 1000)} s)`;
      await this.handover.fence(reason).catch((error: Error) => this.logger.error(`fencing failed: ${error.message}`));
    }
    this.armFence();
    return true;
  }

  /**
   * Whether another node could take this node's floating cameras over: one was live at the last
   * tick, or when the lease was last renewed (a node that joined during a long tick, say).
   */
  private get othersAround(): boolean {
    return this.handover.hasPeers || this.lock.peers > 0;
  }

  /**
   * Self-fencing (§9): if the lease is not renewed again before most of it has run out, stop the
   * floating runners — other nodes start them once the lease has expired. Only with other
   * nodes around: a lone node keeps everything running through a database outage.
   */
  private armFence(): void {
    const afterMs = fenceAfterMs(this.config);
    // Counted from when the renewal was sent — the lease runs from then — not from its answer: a
    // renewal that waited seconds for a connection would otherwise fence that much too late.
    this.replaceTimeout(SCHEDULE.fence, Math.max(0, afterMs - this.lock.sinceRenewMs), () => {
      if (!this.mayAct || !this.othersAround) return;
      this.fencedAt = this.clock.now().getTime();
      void this.handover.fence(`lease of node ${this.enforcer.node} not renewed for ${Math.round(afterMs / 1000)} s`).catch((error: Error) => this.logger.error(`fencing failed: ${error.message}`));
    });
  }

  /**
   * One tick under the lock and lease, then let go (`bisk enforce`). Runners it starts keep
   * running and are adopted by the next enforcer.
   */
  async once(): Promise<TickResult> {
    this.lock.takeLock(undefined, '; it enforces on its own (POST /api/enforcer/enforce asks it to tick now)');
    try {
      await this.lock.renewLease(true);
      const tick = await this.enforcer.tick();
      await this.breadcrumbs.write({ lastRun: tick.at.toISOString(), lastOk: this.clock.now().toISOString(), lastError: null }).catch(() => undefined);
      return tick;
    } finally {
      await this.lock.release();
    }
  }

  /** SIGTERM/SIGINT: finish the tick in progress, stop runners gracefully, release lease and lock. */
  async stop(stopRunners = true): Promise<void> {
    if (!this.active || this.stopping) return;
    this.stopping = true;
    process.off('SIGUSR1', this.onSignal);
    if (this.registry.doesExist('interval', SCHEDULE.tick)) this.registry.deleteInterval(SCHEDULE.tick);
    this.clearTimeout(SCHEDULE.wake);
    this.clearTimeout(SCHEDULE.fence);
    await this.running;
    if (stopRunners) {
      // Renewed once more before the runners are stopped: the tick just finished may have been
      // long, and stopping them takes up to the stop timeout — the lease must not run out in the
      // others' eyes while they still run (they would start those pairs beside them).
      await this.lock.renewLease().catch(() => false);
      const { stopped } = await this.executor.stopRunners({}, 'enforcer shutting down').catch((error: Error) => {
        this.logger.error(`could not stop runners: ${error.message}`);
        return { stopped: 0 };
      });
      this.logger.log(`stopped ${stopped} runner(s)`);
    }
    await this.breadcrumbs.clearRunning().catch(() => undefined);
    // A stop is most often a restart (systemd, an upgrade, a rolling restart of the fleet): the
    // others wait STOP_GRACE_MS for this node before moving its cameras, so each goes down once.
    await this.lock.release(Math.min(STOP_GRACE_MS, this.config.enforcer.leaseSeconds * 1000));
    this.active = false;
  }

  /** A context closing with the enforcer still running (tests, the embedded app) stops it first. */
  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
