import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../common/clock.js';
import { Log } from '../common/log.js';
import { maskCredentials } from '../common/mask.js';
import { classifyDbError } from '../database/db-errors.js';
import type { AppConfig } from '../config/app-config.js';
import { computeDesired, type Desired } from './desired.js';
import { handover } from './ownership.js';
import type { EnforcerMetrics } from './enforcer.metrics.js';
import type { EnforcerRepository, NewEvent, World } from './enforcer.repository.js';
import { type Action, backoffSeconds, type ObservedRunner, type Plan, plan, type StrayProcess } from './plan.js';
import { type ExitInfo, type ProcessAdapter, SpawnError } from './process.adapter.js';
import { logFileFor, maskArgv, runnerArgv, type RunnerCommandSettings, runnerEnv, splitCommand } from './runner-command.js';
import type { Runner } from './runner.entity.js';

/** A runner process this enforcer is responsible for (spawned by it, or adopted after a restart). */
interface Tracked {
  runnerId: number;
  cameraId: number;
  profileId: number;
  pid: number;
  startTime: string;
  startedAt: number;
  crashCount: number;
  logFile: string;
  stopping: boolean;
  unwatch?: () => void;
}

export interface TickResult {
  at: Date;
  durationMs: number;
  desired: number;
  runningBefore: number;
  started: number;
  stopped: number;
  restarted: number;
  waiting: number;
  strays: number;
  actions: Action[];
  wakeAt: Date | null;
  nextBoundary: Date | null;
}

export interface PlanPreview {
  at: Date;
  desired: Desired;
  observed: ObservedRunner[];
  plan: Plan;
}

/** The built `bisk` entry point (also found when this module runs from source, as in tests). */
function builtCli(): string {
  const beside = fileURLToPath(new URL('../cli.js', import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
}

const retryText = (delay: number) => (delay === 0 ? 'restarting now' : `retry in ${delay} s`);

/** Runner starts in flight at once within one tick. */
const START_CONCURRENCY = 8;

/** Runs `fn` over `items` with at most `limit` in flight. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A runner stays up this long → its crash count resets (a stable minute). */
export const STABLE_SECONDS = 60;
/** Runner logs are copied aside and truncated past this size. */
export const RUNNER_LOG_MAX_BYTES = 10 * 1024 * 1024;

/**
 * One tick (§5): observe (load the world, check processes) → plan (pure) → execute (spawn,
 * signal, write rows and events). Decisions live in plan.ts and schedule.ts; this class only
 * gathers facts and carries out actions.
 */
export class EnforcerService {
  private readonly logger = new Log('Enforcer');
  private readonly tracked = new Map<number, Tracked>();
  private exitListener: () => void = () => {};
  private graceUntil: Date | null = null;
  private databaseWasDown = false;
  private lastTickAt: number | null = null;
  /** Other nodes holding a live lease at the last successful tick (could take over floating cameras). */
  private peers = 0;
  /** Cameras pinned to this node at the last successful tick (never fenced). */
  private pinnedHere = new Set<number>();
  /** Runners stopped by fence() while the database was away: recorded as such once it is back. */
  private readonly fenced = new Set<number>();
  /** Pairs already reported as waiting for another node (one event per wait, not one per tick). */
  private readonly handoverWaits = new Set<string>();
  readonly node: string;

  constructor(
    private readonly config: AppConfig,
    private readonly repo: EnforcerRepository,
    private readonly processes: ProcessAdapter,
    private readonly clock: Clock,
    private readonly metrics: EnforcerMetrics,
  ) {
    this.node = config.enforcer.nodeName;
  }

  /** Called when a runner exits, so the loop can tick at once instead of at the next interval. */
  onRunnerExit(listener: () => void): void {
    this.exitListener = listener;
  }

  get trackedCount(): number {
    return this.tracked.size;
  }

  commandSettings(): RunnerCommandSettings {
    const command = this.config.runners.command ? splitCommand(this.config.runners.command) : [process.execPath, builtCli(), 'runner'];
    return {
      command,
      heartbeatUrl: this.config.runners.heartbeatUrl,
      heartbeatKey: this.config.runners.heartbeatKey ?? '',
      snapshotDir: this.config.runners.snapshotDir,
      logDir: this.config.runners.logDir,
      node: this.node,
    };
  }

  /** What a tick would do at `at`, without doing it (no adoption, no rows written). */
  async preview(at: Date = this.clock.now()): Promise<PlanPreview> {
    const world = await this.repo.loadWorld(this.node);
    const now = this.clock.now();
    const desired = computeDesired(world, at, this.config.timeZone, this.node, now.getTime());
    const observed = world.runners.map((row) => this.observeRow(row));
    const strays = this.findStrays(world.runners);
    const gate = await this.handoverGate(desired, world, observed, now, null);
    return { at, desired, observed, plan: plan(gate.specs, observed, strays, at, this.planSettings()) };
  }

  /** One reconcile pass. Throws when the database is unreachable (runners are then left as they are). */
  async tick(): Promise<TickResult> {
    const started = Date.now();
    const now = this.clock.now();
    let world: World;
    try {
      world = await this.repo.loadWorld(this.node);
    } catch (error) {
      // Fail-static: runners are left exactly as they are; the caller records the error.
      this.databaseWasDown = true;
      throw error;
    }
    this.noteTickGap(now);
    const events: NewEvent[] = [];
    this.peers = world.leases.filter((l) => l.node !== this.node && l.expiresAt > now.getTime()).length;
    this.pinnedHere = new Set(world.cameras.filter((c) => c.node === this.node).map((c) => c.id));
    for (const row of world.runners) if (row.pid === null) this.fenced.delete(row.id);

    // Pauses that have ended are cleared from the cameras just loaded: no extra read per tick.
    const expired = world.cameras.filter((c) => c.pauseUntil !== null && c.pauseUntil.getTime() <= now.getTime());
    await this.repo.clearPauses(expired.map((c) => c.id), now);
    for (const camera of expired) {
      camera.pauseUntil = null;
      events.push({ kind: 'pause-expired', cameraId: camera.id, message: `pause of "${camera.name}" ended` });
    }

    const observed: ObservedRunner[] = [];
    for (const row of world.runners) observed.push(await this.observeAndReconcileRow(row, now, events));
    const strays = this.findStrays(world.runners);
    const desired = computeDesired(world, now, this.config.timeZone, this.node);
    const gate = await this.handoverGate(desired, world, observed, now, events);
    const result = plan(gate.specs, observed, strays, now, this.planSettings());
    // A pair waiting for another node to stop it is looked at again in a second, not a full interval.
    if (gate.waiting > 0 && (result.wakeAt === null || result.wakeAt.getTime() > now.getTime() + 1000)) result.wakeAt = new Date(now.getTime() + 1000);
    const counts = await this.execute(result.actions, world, now, events);
    counts.waiting += gate.waiting;
    await this.repo.addEvents(this.node, events, now);

    for (const t of this.tracked.values()) this.processes.capLog(t.logFile, RUNNER_LOG_MAX_BYTES);
    this.lastTickAt = now.getTime();
    return {
      at: now,
      durationMs: Date.now() - started,
      desired: desired.specs.length,
      runningBefore: observed.filter((o) => o.alive).length,
      ...counts,
      strays: strays.length,
      actions: result.actions,
      wakeAt: result.wakeAt,
      nextBoundary: desired.nextBoundary,
    };
  }

  /**
   * Floating cameras changing node (§9): a pair another live node still runs waits until that
   * node has stopped it; a row left by a node that is gone (lease expired, runner silent) is
   * taken over. `events` null = preview (nothing written).
   */
  private async handoverGate(desired: Desired, world: World, observed: ObservedRunner[], now: Date, events: NewEvent[] | null) {
    if (world.foreignRunners.length === 0) {
      this.handoverWaits.clear();
      return { specs: desired.specs, waiting: 0 };
    }
    const key = (p: { cameraId: number; profileId: number }) => `${p.cameraId}:${p.profileId}`;
    const aliveHere = new Set(observed.filter((o) => o.alive).map(key));
    const wanted = desired.specs.map((d) => d.spec).filter((s) => !aliveHere.has(key(s)));
    const decisions = handover(wanted, world.foreignRunners, world.leases, now.getTime(), this.config.heartbeats.offlineSec * 1000);
    const blocked = new Set(decisions.filter((d) => d.kind === 'wait').map(key));
    const waits = new Set<string>();
    for (const d of decisions) {
      if (d.kind === 'wait') {
        waits.add(`${key(d)}@${d.node}`);
        if (events && !this.handoverWaits.has(`${key(d)}@${d.node}`)) events.push({ kind: 'handover', cameraId: d.cameraId, profileId: d.profileId, message: d.reason });
      } else if (events && !blocked.has(key(d))) {
        await this.repo.updateRunner(d.runnerId, { status: 'exited', pid: null, processStartTime: null, lastExitAt: now, lastError: d.reason });
        events.push({ kind: 'handover', cameraId: d.cameraId, profileId: d.profileId, message: d.reason });
        this.logger.warn(`camera ${d.cameraId} profile ${d.profileId}: ${d.reason}`);
      }
    }
    if (events) {
      this.handoverWaits.clear();
      for (const w of waits) this.handoverWaits.add(w);
    }
    return { specs: desired.specs.filter((d) => !blocked.has(key(d.spec))), waiting: blocked.size };
  }

  private planSettings() {
    return {
      offlineSeconds: this.config.heartbeats.offlineSec,
      backoffMaxSeconds: this.config.runners.backoffMaxSeconds,
      heartbeatGraceUntil: this.graceUntil,
    };
  }

  /**
   * After a database outage or a long stall of this process, heartbeats may have been lost
   * or not processed: give every runner a fresh grace period instead of restarting the fleet.
   */
  private noteTickGap(now: Date): void {
    const stalled = this.lastTickAt !== null && now.getTime() - this.lastTickAt > 3 * this.config.enforcer.intervalSeconds * 1000;
    if (this.databaseWasDown || stalled) {
      this.graceUntil = new Date(now.getTime() + this.config.heartbeats.offlineSec * 1000);
      this.logger.warn(`${this.databaseWasDown ? 'database is back' : 'ticks were delayed'}; stall checks paused until ${this.graceUntil.toISOString()}`);
      this.databaseWasDown = false;
    }
  }

  private observeRow(row: Runner): ObservedRunner {
    const t = this.tracked.get(row.id);
    const alive = row.pid !== null && (t ? t.pid === row.pid && !t.stopping : this.processes.isAlive(row.pid, row.processStartTime));
    return {
      runnerId: row.id,
      cameraId: row.cameraId,
      profileId: row.profileId,
      pid: row.pid,
      alive,
      status: row.status,
      specHash: row.specHash,
      startedAt: row.startedAt,
      lastHeartbeatAt: row.lastHeartbeatAt,
      crashes: row.crashCount,
      lastExitAt: row.lastExitAt,
    };
  }

  /**
   * Marks a row of a process that is alive here as running/stopping. Should another node hold
   * the pair meanwhile (a double that the next ticks resolve), the status stays as it was
   * instead of failing the whole tick.
   */
  private async claimQuietly(runnerId: number, status: 'running' | 'stopping'): Promise<void> {
    try {
      await this.repo.updateRunner(runnerId, { status });
    } catch (error) {
      if (classifyDbError(error) !== 'unique') throw error;
      this.logger.warn(`runner ${runnerId}: another node holds its pair; status left as it was`);
    }
  }

  /** Whether other nodes were live at the last successful tick (someone could take over floating cameras). */
  get hasPeers(): boolean {
    return this.peers > 0;
  }

  /**
   * This node's lease could not be renewed for most of its length (the database is unreachable
   * from here): stop its floating runners before another node, seeing the lease expire, starts
   * them. Pinned cameras keep running (nobody else may run them). Needs no database; the rows
   * are put right when it is back.
   */
  async fence(reason: string): Promise<number> {
    const victims = [...this.tracked.values()].filter((t) => !this.pinnedHere.has(t.cameraId) && !t.stopping);
    await Promise.all(
      victims.map(async (t) => {
        t.stopping = true;
        await this.processes.stop(t.pid, t.startTime, this.config.runners.stopTimeoutSeconds * 1000);
        t.unwatch?.();
        this.tracked.delete(t.runnerId);
        this.fenced.add(t.runnerId);
      }),
    );
    if (victims.length > 0) this.logger.error(`${reason}: stopped ${victims.length} floating runner(s) so that another node can take them over`);
    return victims.length;
  }

  /** Adopts live runners this process does not know yet; records deaths nobody saw. */
  private async observeAndReconcileRow(row: Runner, now: Date, events: NewEvent[]): Promise<ObservedRunner> {
    const observed = this.observeRow(row);
    if (row.pid === null) return observed;
    const known = this.tracked.get(row.id);
    if (observed.alive && !known) {
      this.track(row, row.pid, row.processStartTime ?? '', row.startedAt?.getTime() ?? now.getTime(), true);
      events.push({ kind: 'adopt', cameraId: row.cameraId, profileId: row.profileId, pid: row.pid, message: `adopted running runner (pid ${row.pid}) instead of starting a duplicate` });
      if (row.status !== 'running') await this.claimQuietly(row.id, 'running');
      return { ...observed, status: 'running' };
    }
    if (!observed.alive && !known && this.fenced.delete(row.id)) {
      const message = 'stopped while this node could not renew its lease (database unreachable), so that another node could take it over';
      await this.repo.updateRunner(row.id, { status: 'exited', pid: null, processStartTime: null, lastExitAt: now, lastError: message });
      events.push({ kind: 'handover', cameraId: row.cameraId, profileId: row.profileId, pid: row.pid, message });
      return { ...observed, alive: false, pid: null, status: 'exited', lastExitAt: now };
    }
    if (!observed.alive && !known && ['running', 'starting', 'stopping'].includes(row.status)) {
      const crashCount = this.nextCrashCount(row.crashCount, row.startedAt?.getTime() ?? now.getTime(), now.getTime());
      const lastError = this.processes.tail(logFileFor(this.config.runners.logDir, row.cameraId, row.profileId), 3) || 'process ended while no enforcer was watching';
      await this.repo.updateRunner(row.id, { status: row.status === 'stopping' ? 'exited' : 'backoff', pid: null, processStartTime: null, lastExitAt: now, crashCount, lastError: maskCredentials(lastError) });
      events.push({ kind: 'crash', cameraId: row.cameraId, profileId: row.profileId, pid: row.pid, message: `process ${row.pid} is gone: ${maskCredentials(lastError.split('\n').pop() ?? '')}` });
      return { ...observed, alive: false, pid: null, status: 'backoff', crashes: crashCount, lastExitAt: now };
    }
    return observed;
  }

  /**
   * Marked runner processes of this node that no live row accounts for: rows deleted with
   * their camera or profile, rows pointing at another process, leftovers of a crash.
   */
  private findStrays(rows: Runner[]): StrayProcess[] {
    const rowIds = new Set(rows.map((r) => r.id));
    const owned = new Map(rows.filter((r) => r.pid !== null).map((r) => [r.pid!, r]));
    const trackedPids = new Map([...this.tracked.values()].map((t) => [t.pid, t]));
    return this.processes
      .findMarked()
      .filter((p) => p.node === this.node)
      .filter((p) => {
        const t = trackedPids.get(p.pid);
        if (t) return !rowIds.has(t.runnerId) && !t.stopping;
        const row = owned.get(p.pid);
        return !row || row.id !== p.runnerId || (row.processStartTime !== null && row.processStartTime !== p.startTime);
      })
      .map((p) => ({ pid: p.pid, startTime: p.startTime, runnerId: p.runnerId }));
  }

  /**
   * Quick exits in a row (what the back-off counts). A runner that was up for a stable minute
   * starts a new count at 0: it is restarted at once, like a supervisor would; only exits that
   * follow each other quickly wait 1, 2, 4 … s.
   */
  private nextCrashCount(previous: number, startedAtMs: number, nowMs: number): number {
    return nowMs - startedAtMs >= STABLE_SECONDS * 1000 ? 0 : previous + 1;
  }

  private track(row: { id: number; cameraId: number; profileId: number; crashCount: number }, pid: number, startTime: string, startedAt: number, adopted: boolean): Tracked {
    const t: Tracked = {
      runnerId: row.id, cameraId: row.cameraId, profileId: row.profileId, pid, startTime, startedAt, crashCount: row.crashCount,
      logFile: logFileFor(this.config.runners.logDir, row.cameraId, row.profileId), stopping: false,
    };
    if (adopted) t.unwatch = this.processes.watch(pid, startTime, () => void this.handleExit(t, { code: null, signal: null }));
    this.tracked.set(row.id, t);
    return t;
  }

  /** A runner exited on its own: record it at once and ask for a tick (which applies the back-off). */
  private async handleExit(t: Tracked, exit: ExitInfo): Promise<void> {
    if (this.tracked.get(t.runnerId) !== t || t.stopping) return;
    this.tracked.delete(t.runnerId);
    t.unwatch?.();
    // Stopped on purpose by someone else (stop-runners, the API, a camera being deleted): they record it.
    const current = await this.repo.findRunner(t.runnerId).catch(() => undefined);
    if (current === null || (current && current.pid !== t.pid) || current?.status === 'stopping' || current?.status === 'exited') {
      this.exitListener();
      return;
    }
    const now = this.clock.now();
    const crashCount = this.nextCrashCount(t.crashCount, t.startedAt, now.getTime());
    const how = exit.signal ? `was killed by ${exit.signal}` : exit.code === null ? 'exited' : `exited with code ${exit.code}`;
    const said = maskCredentials(this.processes.tail(t.logFile, 3));
    const delay = backoffSeconds(crashCount, this.config.runners.backoffMaxSeconds);
    const uptime = ((now.getTime() - t.startedAt) / 1000).toFixed(1);
    try {
      await this.repo.updateRunner(t.runnerId, {
        status: 'backoff', pid: null, processStartTime: null, lastExitAt: now, crashCount,
        lastExitCode: exit.code, lastExitSignal: exit.signal, lastError: said || how,
      });
      await this.repo.addEvents(this.node, [
        { kind: 'crash', cameraId: t.cameraId, profileId: t.profileId, pid: t.pid, message: `runner ${how} after ${uptime} s${said ? `: ${said.split('\n').pop()}` : ''}; ${retryText(delay)}` },
      ], now);
    } catch (error) {
      this.logger.error(`could not record the exit of runner ${t.runnerId}: ${(error as Error).message}`);
    }
    this.metrics.restarts.inc({ reason: 'crash' });
    this.logger.warn(`camera ${t.cameraId} profile ${t.profileId}: runner ${how} after ${uptime} s; ${retryText(delay)}`);
    this.exitListener();
  }

  private async execute(actions: Action[], world: World, now: Date, events: NewEvent[]) {
    const rows = new Map(world.runners.map((r) => [r.id, r]));
    const counts = { started: 0, stopped: 0, restarted: 0, waiting: 0 };
    // Stops first and in parallel (each may wait for the stop timeout), then starts.
    const stops = actions.filter((a) => a.kind === 'stop' || a.kind === 'stray-kill' || a.kind === 'restart');
    await Promise.all(
      stops.map(async (action) => {
        if (action.kind === 'stray-kill') {
          const t = [...this.tracked.values()].find((x) => x.pid === action.pid);
          if (t) t.stopping = true;
          const result = await this.processes.stop(action.pid, action.startTime, this.config.runners.stopTimeoutSeconds * 1000);
          if (t) {
            t.unwatch?.();
            this.tracked.delete(t.runnerId);
          }
          events.push({ kind: 'stray-kill', pid: action.pid, message: `${action.reason}: ${result}` });
          return;
        }
        if (action.kind === 'restart') {
          events.push({ kind: action.cause, cameraId: action.cameraId, profileId: action.profileId, pid: action.pid, message: action.reason });
          this.metrics.restarts.inc({ reason: action.cause });
        }
        await this.stopRunner(action.runnerId, action.reason, events, action.kind === 'stop');
        if (action.kind === 'stop') counts.stopped++;
      }),
    );
    // Starts run a few at a time: each waits on the kernel (fork/exec) and a row write, so a
    // cold start of hundreds of runners overlaps those waits instead of queueing them.
    const starts = actions.filter((a): a is Extract<Action, { kind: 'start' | 'restart' }> => a.kind === 'start' || a.kind === 'restart');
    await eachLimited(starts, START_CONCURRENCY, async (action) => {
      const row = action.runnerId !== null ? rows.get(action.runnerId) : undefined;
      const ok = await this.startRunner(action.cameraId, action.profileId, row, action, now, events);
      if (ok) action.kind === 'restart' ? counts.restarted++ : counts.started++;
    });
    for (const action of actions) {
      if (action.kind === 'wait') {
        counts.waiting++;
        if (rows.get(action.runnerId)?.status !== 'backoff' && rows.get(action.runnerId)?.status !== 'failed') {
          await this.repo.updateRunner(action.runnerId, { status: 'backoff' });
        }
      }
    }
    return counts;
  }

  private async startRunner(
    cameraId: number,
    profileId: number,
    existing: Runner | undefined,
    action: Extract<Action, { kind: 'start' | 'restart' }>,
    now: Date,
    events: NewEvent[],
  ): Promise<boolean> {
    // The claim: the database lets only one row per pair be starting/running/stopping across all
    // nodes, so a node that briefly disagrees about ownership cannot start it a second time.
    let row: Runner;
    try {
      if (existing) await this.repo.updateRunner(existing.id, { status: 'starting' });
      row = existing ?? (await this.repo.createRunner({ cameraId, profileId, node: this.node, status: 'starting', specHash: action.hash }));
    } catch (error) {
      const kind = classifyDbError(error);
      if (kind === 'foreign-key') {
        // The camera or profile was deleted after this tick read the schedule: nothing to start.
        this.logger.warn(`camera ${cameraId} profile ${profileId}: deleted meanwhile; not started`);
        return false;
      }
      if (kind !== 'unique') throw error;
      events.push({ kind: 'handover', cameraId, profileId, message: 'not started here: another node holds this pair (starting, running or stopping there)' });
      return false;
    }
    const argv = runnerArgv(action.spec, this.commandSettings());
    const logFile = logFileFor(this.config.runners.logDir, cameraId, profileId);
    let tracked: Tracked | undefined;
    try {
      const proc = await this.processes.spawn(
        { argv, env: runnerEnv(action.spec, row.id, this.node, process.env), logFile, nice: action.spec.cpuNice, cpuAffinity: action.spec.cpuAffinity },
        (exit) => tracked && void this.handleExit(tracked, exit),
      );
      // Tracked before any await, so an immediate exit is still attributed to this start.
      tracked = this.track(row, proc.pid, proc.startTime, now.getTime(), false);
      await this.repo.updateRunner(row.id, {
        pid: proc.pid, processStartTime: proc.startTime, status: 'running', startedAt: now, specHash: action.hash,
        effectiveArgs: maskArgv(argv), restartCount: existing ? existing.restartCount + 1 : 0,
        targetFps: action.spec.fps, snapshotEvery: action.spec.snapshotEvery,
      });
      events.push({ kind: 'start', cameraId, profileId, pid: proc.pid, message: action.kind === 'restart' ? `restarted: ${action.reason}` : action.reason });
      this.metrics.starts.inc();
      this.logger.log(`camera ${cameraId} profile ${profileId}: started runner pid ${proc.pid} (${action.kind === 'restart' ? action.cause : action.reason})`);
      return true;
    } catch (error) {
      const message = error instanceof SpawnError ? error.message : `cannot start runner: ${(error as Error).message}`;
      const crashCount = row.crashCount + 1;
      await this.repo.updateRunner(row.id, { status: 'failed', pid: null, processStartTime: null, lastError: message, lastExitAt: now, crashCount });
      events.push({ kind: 'error', cameraId, profileId, message: `${message}; retry in ${backoffSeconds(crashCount, this.config.runners.backoffMaxSeconds)} s` });
      this.logger.error(`camera ${cameraId} profile ${profileId}: ${message}`);
      return false;
    }
  }

  /** Stops one runner gracefully (group TERM → wait → KILL) and records it. */
  private async stopRunner(runnerId: number, reason: string, events: NewEvent[], recordStop: boolean): Promise<'gone' | 'terminated' | 'killed'> {
    const t = this.tracked.get(runnerId);
    const row = t ? null : await this.repo.findRunner(runnerId);
    const pid = t?.pid ?? row?.pid ?? null;
    if (pid === null) return 'gone';
    if (t) t.stopping = true;
    await this.claimQuietly(runnerId, 'stopping');
    const result = await this.processes.stop(pid, t?.startTime ?? row?.processStartTime ?? null, this.config.runners.stopTimeoutSeconds * 1000);
    if (t) {
      t.unwatch?.();
      this.tracked.delete(runnerId);
    }
    await this.repo.updateRunner(runnerId, { status: 'exited', pid: null, processStartTime: null, lastExitAt: this.clock.now(), crashCount: 0 });
    const cameraId = t?.cameraId ?? row?.cameraId;
    const profileId = t?.profileId ?? row?.profileId;
    const how = result === 'killed' ? `killed after ignoring SIGTERM for ${this.config.runners.stopTimeoutSeconds} s` : result === 'gone' ? 'was already gone' : 'stopped';
    if (recordStop) events.push({ kind: 'stop', cameraId, profileId, pid, message: `${reason}; ${how}` });
    return result;
  }

  /**
   * Stops runners of this node (all, or one camera/profile): `bisk stop-runners`, the API,
   * and the enforcer's own shutdown. Returns how many were stopped and how many rows pointed
   * at processes that were already gone.
   */
  async stopRunners(filter: { cameraId?: number; profileId?: number } = {}, reason = 'stopped by operator'): Promise<{ stopped: number; skipped: number }> {
    const rows = await this.repo.findLiveRunners(this.node, filter);
    const events: NewEvent[] = [];
    const results = await Promise.all(rows.map((row) => this.stopRunner(row.id, reason, events, true)));
    await this.repo.addEvents(this.node, events);
    const stopped = results.filter((r) => r !== 'gone').length;
    return { stopped, skipped: results.length - stopped };
  }
}
