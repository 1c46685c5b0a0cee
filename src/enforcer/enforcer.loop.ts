import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../common/clock.js';
import { Log } from '../common/log.js';
import { maskCredentials } from '../common/mask.js';
import type { AppConfig } from '../config/app-config.js';
import { VERSION } from '../version.js';
import type { Breadcrumbs, TickSummary } from './breadcrumbs.js';
import type { EnforcerMetrics } from './enforcer.metrics.js';
import type { EnforcerService, TickResult } from './enforcer.service.js';
import { FileLock, lockHeldMessage } from './file-lock.js';
import type { LeaseRepository } from './lease.repository.js';
import { isSameProcess, readStat } from './proc.js';

/** Refusal to start because another enforcer is in charge; the message is what operators see. */
export class EnforcerBusyError extends Error {
  override readonly name = 'EnforcerBusyError';
}

export function summarize({ at, actions: _actions, wakeAt: _wakeAt, nextBoundary: _next, ...counts }: TickResult): TickSummary {
  return { at: at.toISOString(), ...counts };
}

/** A lease holder "host:pid:starttime:…" on this host whose process no longer exists. */
export function holderIsDeadHere(holder: string): boolean {
  const [host, pid, startTime] = holder.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  return !isSameProcess(Number(pid), startTime && startTime !== '0' ? startTime : null);
}

/** The single-instance lock, or EnforcerBusyError with the operators' message. */
export function acquireLock(path: string): FileLock {
  const lock = new FileLock(path);
  const result = lock.tryAcquire();
  if (!result.ok) throw new EnforcerBusyError(lockHeldMessage(path, result.holderPid));
  return lock;
}

/**
 * When ticks happen (§5): every ENFORCER_INTERVAL_SECONDS, at the next schedule boundary,
 * right after a runner exits, and on "enforce now" — never two at once. Runs only while it
 * holds the file lock and the node's database lease; the interval is registered after both.
 */
export class EnforcerLoop {
  private readonly logger = new Log('Enforcer');
  /** host:pid:kernel start time:random — enough to tell, on this host, whether the holder still lives. */
  private readonly holder = `${hostname()}:${process.pid}:${readStat(process.pid)?.startTime ?? '0'}:${randomBytes(4).toString('hex')}`;
  private lock: FileLock | null = null;
  private running: Promise<void> | null = null;
  private pending = false;
  private stopping = false;
  private intervalTimer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private lastEnforceRequest: string | null = null;
  private leaseHeld = false;
  private fenceTimer: NodeJS.Timeout | null = null;
  private readonly onSignal = () => this.request('signal');
  lastResult: TickResult | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly enforcer: EnforcerService,
    private readonly leases: LeaseRepository,
    private readonly breadcrumbs: Breadcrumbs,
    private readonly clock: Clock,
    private readonly metrics: EnforcerMetrics,
  ) {}

  /**
   * Takes the lock (unless the caller already holds it) and the lease, or throws
   * EnforcerBusyError with the message to print; then starts ticking.
   */
  async start(lockOrPath: FileLock | string = this.config.enforcer.lockFile, intervalSeconds = this.config.enforcer.intervalSeconds): Promise<void> {
    const lock = typeof lockOrPath === 'string' ? acquireLock(lockOrPath) : lockOrPath;
    this.lock = lock;
    try {
      await this.renewLease(true);
    } catch (error) {
      lock.release();
      this.lock = null;
      throw error;
    }
    this.lastEnforceRequest = await this.breadcrumbs.enforceRequestedAt().catch(() => null);
    await this.breadcrumbs.write({
      runningPid: process.pid,
      node: this.enforcer.node,
      host: hostname(),
      intervalSeconds,
      startedAt: this.clock.now().toISOString(),
    });
    this.enforcer.onRunnerExit(() => this.request('runner exit'));
    this.intervalTimer = setInterval(() => this.request('interval'), intervalSeconds * 1000);
    this.pollTimer = setInterval(() => void this.pollEnforceRequests(), 1000);
    process.on('SIGUSR1', this.onSignal);
    await this.request('start');
  }

  private async renewLease(first = false): Promise<boolean> {
    const ttl = this.config.enforcer.leaseSeconds * 1000;
    const now = this.clock.now().getTime();
    if (first && this.leases.engine === 'sqlite') {
      // Several nodes coordinate through PostgreSQL; an embedded SQLite file belongs to one host.
      const [other] = await this.leases.otherLive(this.enforcer.node, now);
      if (other) {
        throw new EnforcerBusyError(
          `Several nodes need PostgreSQL: node ${other.node} (${other.holder}) already runs an enforcer on this SQLite database, its lease runs until ${new Date(other.expiresAt).toISOString()}. Give every enforcer on one SQLite database the same NODE_NAME, or put the database on PostgreSQL (DATABASE_URL=postgres://…) to run several hosts.`,
        );
      }
    }
    let result = await this.leases.acquire(this.enforcer.node, this.holder, process.pid, VERSION, now, ttl);
    if (!result.ok && holderIsDeadHere(result.current.holder)) {
      // Its holder was on this host and is gone (SIGKILL, crash): no need to wait for the lease to expire.
      this.logger.warn(`taking over the lease of node ${this.enforcer.node} from ${result.current.holder}, which is no longer running`);
      result = await this.leases.acquire(this.enforcer.node, this.holder, process.pid, VERSION, now, ttl, result.current.holder);
    }
    if (!result.ok) {
      const message = `Another enforcer holds the lease for node ${this.enforcer.node}: ${result.current.holder} (pid=${result.current.pid}) until ${new Date(result.current.expiresAt).toISOString()}`;
      if (first) throw new EnforcerBusyError(message);
      if (this.leaseHeld) this.logger.error(`${message}; this enforcer stops acting`);
      this.leaseHeld = false;
      return false;
    }
    this.leaseHeld = true;
    this.armFence(ttl);
    return true;
  }

  /**
   * Self-fencing (§9): if the lease is not renewed again before most of it has run out, stop the
   * floating runners — other nodes start them once the lease has expired. Only with other
   * nodes around: a lone node keeps everything running through a database outage.
   */
  private armFence(ttlMs: number): void {
    if (this.fenceTimer) clearTimeout(this.fenceTimer);
    const afterMs = Math.max(ttlMs - this.config.enforcer.intervalSeconds * 1000, ttlMs / 2);
    this.fenceTimer = setTimeout(() => {
      this.fenceTimer = null;
      if (this.stopping || !this.enforcer.hasPeers) return;
      void this.enforcer.fence(`lease of node ${this.enforcer.node} not renewed for ${Math.round(afterMs / 1000)} s`).catch((error: Error) => this.logger.error(`fencing failed: ${error.message}`));
    }, afterMs);
    this.fenceTimer.unref();
  }

  /**
   * One tick under the lock and lease, then let go (`bisk enforce`). Runners it starts keep
   * running and are adopted by the next enforcer.
   */
  async once(lockFile = this.config.enforcer.lockFile): Promise<TickResult> {
    const lock = new FileLock(lockFile);
    const result = lock.tryAcquire();
    if (!result.ok) {
      throw new EnforcerBusyError(`${lockHeldMessage(lockFile, result.holderPid)}; it enforces on its own (POST /api/enforcer/enforce asks it to tick now)`);
    }
    try {
      await this.renewLease(true);
      try {
        const tick = await this.enforcer.tick();
        await this.breadcrumbs.write({ lastRun: tick.at.toISOString(), lastOk: this.clock.now().toISOString(), lastError: null }).catch(() => undefined);
        return tick;
      } finally {
        if (this.fenceTimer) clearTimeout(this.fenceTimer);
        await this.leases.release(this.enforcer.node, this.holder).catch(() => undefined);
      }
    } finally {
      lock.release();
    }
  }

  /** Asks for a tick; one already running is followed by exactly one more. */
  request(reason: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.running) {
      this.pending = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.pending = false;
          await this.tickOnce(reason);
        } while (this.pending && !this.stopping);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async tickOnce(reason: string): Promise<void> {
    const at = this.clock.now();
    await this.breadcrumbs.write({ lastRun: at.toISOString() }).catch(() => undefined);
    try {
      if (!(await this.renewLease())) return;
      const result = await this.enforcer.tick();
      this.lastResult = result;
      this.metrics.tickDuration.observe(result.durationMs / 1000);
      const wake = this.scheduleWake(result);
      await this.breadcrumbs.write({
        lastOk: this.clock.now().toISOString(),
        lastError: null,
        nextWake: wake?.toISOString() ?? null,
        lastTick: summarize(result),
        metrics: await this.metrics.registry.metrics(),
      });
      if (result.started + result.stopped + result.restarted + result.strays > 0) {
        this.logger.log(
          `tick (${reason}): desired ${result.desired}, running before ${result.runningBefore}, started ${result.started}, stopped ${result.stopped}, restarted ${result.restarted}${result.strays ? `, strays ${result.strays}` : ''} in ${result.durationMs} ms`,
        );
      }
    } catch (error) {
      const message = maskCredentials((error as Error)?.message ?? String(error));
      this.metrics.tickFailures.inc();
      this.logger.error(`tick failed, runners left as they are: ${message}`);
      await this.breadcrumbs.write({ lastError: `${at.toISOString()} ${message}` }).catch(() => undefined);
    }
  }

  /** Arms a one-shot wake-up for the next boundary/back-off end when it comes before the next interval tick. */
  private scheduleWake(result: TickResult): Date | null {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    const candidates = [result.nextBoundary, result.wakeAt].filter((d): d is Date => d !== null).map((d) => d.getTime());
    if (candidates.length === 0) return null;
    const next = Math.min(...candidates);
    const delay = next - this.clock.now().getTime();
    if (delay <= this.config.enforcer.intervalSeconds * 1000) {
      // A few ms past the instant, so the tick sees the new side of the boundary.
      this.wakeTimer = setTimeout(() => void this.request('schedule boundary'), Math.max(0, delay) + 5);
    }
    return new Date(next);
  }

  private async pollEnforceRequests(): Promise<void> {
    try {
      const requested = await this.breadcrumbs.enforceRequestedAt();
      if (requested && requested !== this.lastEnforceRequest) {
        this.lastEnforceRequest = requested;
        await this.request('enforce now');
      }
    } catch {
      // the cache being unavailable must not disturb the loop
    }
  }

  /** SIGTERM/SIGINT: finish the tick in progress, stop runners gracefully, release lease and lock. */
  async stop(stopRunners = true): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    process.off('SIGUSR1', this.onSignal);
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.fenceTimer) clearTimeout(this.fenceTimer);
    await this.running;
    if (stopRunners) {
      const { stopped } = await this.enforcer.stopRunners({}, 'enforcer shutting down').catch((error: Error) => {
        this.logger.error(`could not stop runners: ${error.message}`);
        return { stopped: 0 };
      });
      this.logger.log(`stopped ${stopped} runner(s)`);
    }
    await this.leases.release(this.enforcer.node, this.holder).catch(() => undefined);
    await this.breadcrumbs.clearRunning().catch(() => undefined);
    this.lock?.release();
    this.lock = null;
  }
}
