import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { maskCredentials } from '../common/mask.js';
import { AppConfig } from '../config/app-config.js';
import { classifyDbError } from '../database/db-errors.js';
import { EnforcerMetrics } from './enforcer.metrics.js';
import { EnforcerRepository, type NewEvent } from './enforcer.repository.js';
import { type Action, backoffSeconds, type DesiredSpec } from './plan.js';
import { type ExitInfo, ProcessAdapter, SpawnError } from './process.adapter.js';
import { logFileFor, maskArgv, runnerArgv, type RunnerCommandSettings, runnerEnv, splitCommand } from './runner-command.js';
import { type Tracked, TrackedRunners } from './tracked-runners.js';
import type { RunnerRow, World } from './world.js';

/** A runner stays up this long → its crash count resets (a stable minute). */
export const STABLE_SECONDS = 60;
/** Runner logs are copied aside and truncated past this size. */
export const RUNNER_LOG_MAX_BYTES = 10 * 1024 * 1024;
/** Runner starts in flight at once within one tick. */
const START_CONCURRENCY = 8;

/**
 * Quick exits in a row (what the back-off counts). A runner that was up for a stable minute
 * starts a new count at 0: it is restarted at once, like a supervisor would; only exits that
 * follow each other quickly wait 1, 2, 4 … s.
 */
export function nextCrashCount(previous: number, startedAtMs: number, nowMs: number): number {
  return nowMs - startedAtMs >= STABLE_SECONDS * 1000 ? 0 : previous + 1;
}

/** The reference runner's own entry point (no Nest: one per camera), also found when this module runs from source. */
function referenceRunner(): string {
  const beside = fileURLToPath(new URL('../runner/main.js', import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../dist/src/runner/main.js', import.meta.url));
}

const retryText = (delay: number) => (delay === 0 ? 'restarting now' : `retry in ${delay} s`);

/** Runs `fn` over `items` with at most `limit` in flight. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

type StartAction = Extract<Action, { kind: 'start' | 'restart' }>;

const notStarted = (cameraId: number, profileId: number) =>
  `camera ${cameraId} profile ${profileId}: not started, this node's lease was not renewed in time (the tick took too long); the next tick decides`;

/**
 * The tick's second concern: carrying out the plan — starts, stops, restarts, stray kills —
 * and answering runner exits (recorded at once; restarted in place when the pair is still
 * wanted with the same spec and no back-off is due, else a tick is asked for). Every spawn and
 * signal goes through ProcessAdapter; every row and event it writes goes through the repository.
 */
@Injectable()
export class RunnerExecutor {
  private readonly logger = new Logger('Enforcer');
  private exitListener: () => void = () => {};
  private restartInPlaceAllowed: (t: Tracked, spec: DesiredSpec, now: Date) => boolean = () => false;
  private startsAllowed: () => boolean = () => true;
  readonly node: string;

  constructor(
    private readonly config: AppConfig,
    private readonly repo: EnforcerRepository,
    private readonly processes: ProcessAdapter,
    private readonly tracked: TrackedRunners,
    private readonly clock: Clock,
    private readonly metrics: EnforcerMetrics,
  ) {
    this.node = config.enforcer.nodeName;
  }

  /** Called after an exit that was not answered by a restart in place (the scheduler ticks). */
  onRunnerExit(listener: () => void): void {
    this.exitListener = listener;
  }

  /**
   * Decides whether starts may go on (the scheduler's guard: the lease was renewed recently enough).
   * A tick that outlasts its fence must not start anything after it: another node may be taking
   * those pairs over.
   */
  startWhen(check: () => boolean): void {
    this.startsAllowed = check;
  }

  /** Decides whether an exited runner may be started again at once with the spec it had (the scheduler's guard). */
  restartInPlaceWhen(check: (t: Tracked, spec: DesiredSpec, now: Date) => boolean): void {
    this.restartInPlaceAllowed = check;
  }

  /** Said once when the enforcer starts: settings that weaken what runners keep private. */
  warnAboutSettings(): void {
    if (this.config.runners.secretsInArgv) {
      this.logger.warn('RUNNER_SECRETS_IN_ARGV is on: every runner\'s stream password and heartbeat key are on its command line, readable by any local user (ps); turn it off once runners read BISK_RTSP_URL and BISK_HB_KEY');
    }
  }

  commandSettings(): RunnerCommandSettings {
    const command = this.config.runners.command ? splitCommand(this.config.runners.command) : [process.execPath, referenceRunner()];
    return {
      command,
      heartbeatUrl: this.config.runners.heartbeatUrl,
      heartbeatKey: this.config.runners.heartbeatKey ?? '',
      snapshotDir: this.config.runners.snapshotDir,
      logDir: this.config.runners.logDir,
      node: this.node,
      secretsInArgv: this.config.runners.secretsInArgv,
      envPass: this.config.runners.envPass,
    };
  }

  /** Takes charge of a live runner found after an enforcer restart (watched through /proc: it is not our child). */
  adopt(row: RunnerRow): void {
    const t = this.track(row, row.pid!, row.processStartTime ?? '', row.startedAt?.getTime() ?? this.clock.now().getTime(), null);
    t.unwatch = this.processes.watch(t.pid, t.startTime, () => void this.handleExit(t, { code: null, signal: null }));
  }

  /**
   * Marks a row of a process that is alive here as running/stopping (with `ifPid`, only while
   * the row still records that process). Should another node hold the pair meanwhile (a double
   * that the next ticks resolve), the status stays as it was instead of failing the whole tick.
   */
  async claimQuietly(runnerId: number, status: 'running' | 'stopping', ifPid?: number): Promise<void> {
    try {
      await this.repo.updateRunner(runnerId, { status }, ifPid);
    } catch (error) {
      if (classifyDbError(error) !== 'unique') throw error;
      this.logger.warn(`runner ${runnerId}: another node holds its pair; status left as it was`);
    }
  }

  async execute(actions: Action[], world: World, now: Date, events: NewEvent[]) {
    const rows = new Map(world.runners.map((r) => [r.id, r]));
    const counts = { started: 0, stopped: 0, restarted: 0, waiting: 0 };
    // Stops first and in parallel (each may wait for the stop timeout), then starts.
    const stops = actions.filter((a) => a.kind === 'stop' || a.kind === 'stray-kill' || a.kind === 'restart');
    await Promise.all(
      stops.map(async (action) => {
        if (action.kind === 'stray-kill') {
          const t = this.tracked.byPid(action.pid);
          if (t) t.stopping = true;
          const result = await this.processes.stop(action.pid, action.startTime, this.config.runners.stopTimeoutSeconds * 1000);
          if (t) this.tracked.drop(t);
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
    const starts = actions.filter((a): a is StartAction => a.kind === 'start' || a.kind === 'restart');
    await eachLimited(starts, START_CONCURRENCY, async (action) => {
      const row = action.runnerId !== null ? rows.get(action.runnerId) : undefined;
      const ok = await this.startRunner(row, action, now, events);
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
    for (const t of this.tracked.all()) this.processes.capLog(t.logFile, RUNNER_LOG_MAX_BYTES);
    return counts;
  }

  private async startRunner(existing: RunnerRow | undefined, action: StartAction, now: Date, events: NewEvent[]): Promise<boolean> {
    const { cameraId, profileId } = action;
    if (!this.startsAllowed()) {
      this.logger.warn(notStarted(cameraId, profileId));
      return false;
    }
    // The claim: the database lets only one row per pair be starting/running/stopping across all
    // nodes, so a node that briefly disagrees about ownership cannot start it a second time.
    let row: RunnerRow;
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
    // The claim is a round trip: a fence may have fired meanwhile (the lease not renewed in time). What it
    // stopped must not be started again beside the node taking it over — let go of the claim instead.
    if (!this.startsAllowed()) {
      await this.repo.updateRunner(row.id, { status: 'exited' }, { pid: null, status: 'starting' });
      this.logger.warn(notStarted(cameraId, profileId));
      return false;
    }
    let launched: Tracked | null = null;
    try {
      const { t, argv } = await this.launch(row, { spec: action.spec, hash: action.hash }, now, existing ? existing.restartCount + 1 : 0);
      launched = t;
      await this.repo.updateRunner(row.id, {
        pid: t.pid, processStartTime: t.startTime, status: 'running', startedAt: now, specHash: action.hash,
        effectiveArgs: maskArgv(argv), restartCount: t.restartCount, targetFps: action.spec.fps, snapshotEvery: action.spec.snapshotEvery,
      });
      events.push({ kind: 'start', cameraId, profileId, pid: t.pid, message: action.kind === 'restart' ? `restarted: ${action.reason}` : action.reason });
      this.metrics.starts.inc();
      this.logger.log(`camera ${cameraId} profile ${profileId}: started runner pid ${t.pid} (${action.kind === 'restart' ? action.cause : action.reason})`);
      return true;
    } catch (error) {
      if (launched) await this.abandon(launched);
      const message = error instanceof SpawnError ? error.message : `cannot start runner: ${(error as Error).message}`;
      const crashCount = row.crashCount + 1;
      await this.repo.updateRunner(row.id, { status: 'failed', pid: null, processStartTime: null, lastError: message, lastExitAt: now, crashCount });
      events.push({ kind: 'error', cameraId, profileId, message: `${message}; retry in ${backoffSeconds(crashCount, this.config.runners.backoffMaxSeconds)} s` });
      this.logger.error(`camera ${cameraId} profile ${profileId}: ${message}`);
      return false;
    }
  }

  /**
   * A process spawned whose row could not record it: one the database does not know about must
   * not run (another node may start the pair). Stopped now, not as a stray at the next tick.
   */
  private async abandon(t: Tracked): Promise<void> {
    t.stopping = true;
    this.tracked.drop(t);
    await this.processes.stop(t.pid, t.startTime, this.config.runners.stopTimeoutSeconds * 1000).catch(() => undefined);
  }

  /** Spawns the runner of `row` with `started` and tracks it before anything else can happen. */
  private async launch(row: Pick<RunnerRow, 'id' | 'cameraId' | 'profileId' | 'crashCount'>, started: DesiredSpec, now: Date, restartCount: number) {
    const settings = this.commandSettings();
    const argv = runnerArgv(started.spec, settings);
    const logFile = logFileFor(this.config.runners.logDir, row.cameraId, row.profileId);
    let t: Tracked | undefined;
    const proc = await this.processes.spawn(
      { argv, env: runnerEnv(started.spec, row.id, process.env, settings), logFile, nice: started.spec.cpuNice, cpuAffinity: started.spec.cpuAffinity },
      (exit) => t && void this.handleExit(t, exit),
    );
    // Tracked before any await, so an immediate exit is still attributed to this start.
    t = this.track({ ...row, restartCount }, proc.pid, proc.startTime, now.getTime(), started);
    return { t, argv };
  }

  private track(row: Pick<RunnerRow, 'id' | 'cameraId' | 'profileId' | 'crashCount' | 'restartCount'>, pid: number, startTime: string, startedAt: number, started: DesiredSpec | null): Tracked {
    const t: Tracked = {
      runnerId: row.id, cameraId: row.cameraId, profileId: row.profileId, pid, startTime, startedAt, crashCount: row.crashCount,
      restartCount: row.restartCount, logFile: logFileFor(this.config.runners.logDir, row.cameraId, row.profileId), stopping: false, started,
    };
    this.tracked.set(t);
    return t;
  }

  /**
   * A runner exited on its own: answer the exit, then stop what its leader left in its group
   * (ffmpeg …) after the usual grace — after, so a restart in place does not wait for that
   * /proc scan.
   */
  private async handleExit(t: Tracked, exit: ExitInfo): Promise<void> {
    if (this.tracked.get(t.runnerId) !== t || t.stopping) return;
    this.tracked.drop(t);
    try {
      await this.answerExit(t, exit);
    } finally {
      await this.reapGroup(t.pid, t.startTime, t.cameraId, t.profileId);
    }
  }

  /** Restarts an exited runner in place when allowed, else records the exit and asks for a tick (which applies the back-off). */
  private async answerExit(t: Tracked, exit: ExitInfo): Promise<void> {
    // Stopped on purpose by someone else (stop-runners, the API, a camera being deleted): they record it.
    const current = await this.repo.findRunner(t.runnerId).catch(() => undefined);
    if (current === null || (current && current.pid !== t.pid) || current?.status === 'stopping' || current?.status === 'exited') {
      this.exitListener();
      return;
    }
    const now = this.clock.now();
    const crashCount = nextCrashCount(t.crashCount, t.startedAt, now.getTime());
    const how = exit.signal ? `was killed by ${exit.signal}` : exit.code === null ? 'exited' : `exited with code ${exit.code}`;
    const said = maskCredentials(this.processes.tail(t.logFile, 3));
    const delay = backoffSeconds(crashCount, this.config.runners.backoffMaxSeconds);
    const uptime = ((now.getTime() - t.startedAt) / 1000).toFixed(1);
    const exitFacts = { lastExitAt: now, crashCount, lastExitCode: exit.code, lastExitSignal: exit.signal, lastError: said || how };
    const crashEvent: NewEvent = { kind: 'crash', cameraId: t.cameraId, profileId: t.profileId, pid: t.pid, message: `runner ${how} after ${uptime} s${said ? `: ${said.split('\n').pop()}` : ''}; ${retryText(delay)}` };
    this.metrics.restarts.inc({ reason: 'crash' });
    this.logger.warn(`camera ${t.cameraId} profile ${t.profileId}: runner ${how} after ${uptime} s; ${retryText(delay)}`);
    // A stable runner that died, still wanted with the same spec: start it again right here
    // (one row write), instead of waiting for a tick to load the world and plan.
    if (current && delay === 0 && t.started && this.restartInPlaceAllowed(t, t.started, now)) {
      let unrecorded: Tracked | null = null;
      try {
        const { t: next, argv } = await this.launch({ ...current, crashCount }, t.started, now, current.restartCount + 1);
        unrecorded = next;
        // Only while the row still records the process that exited: another node may have taken it over meanwhile.
        const recorded = await this.repo.updateRunner(t.runnerId, {
          ...exitFacts, pid: next.pid, processStartTime: next.startTime, status: 'running', startedAt: now, specHash: t.started.hash,
          effectiveArgs: maskArgv(argv), restartCount: next.restartCount,
        }, t.pid);
        if (!recorded) throw new Error('its row no longer records the process that exited');
        unrecorded = null;
        await this.repo.addEvents(this.node, [crashEvent, { kind: 'start', cameraId: t.cameraId, profileId: t.profileId, pid: next.pid, message: `restarted: runner ${how}` }], now);
        this.metrics.starts.inc();
        return;
      } catch (error) {
        if (unrecorded) await this.abandon(unrecorded);
        this.logger.warn(`camera ${t.cameraId} profile ${t.profileId}: restart in place failed (${(error as Error).message}); the next tick retries`);
      }
    }
    try {
      await this.repo.updateRunner(t.runnerId, { ...exitFacts, status: 'backoff', pid: null, processStartTime: null });
      await this.repo.addEvents(this.node, [crashEvent], now);
    } catch (error) {
      this.logger.error(`could not record the exit of runner ${t.runnerId}: ${(error as Error).message}`);
    }
    this.exitListener();
  }

  /**
   * Stops what is left of a runner's process group after its leader ended (group TERM → wait →
   * KILL), so no ffmpeg outlives its runner. Nothing left: nothing happens.
   */
  async reapGroup(pid: number, startTime: string | null, cameraId: number, profileId: number): Promise<void> {
    try {
      const result = await this.processes.stop(pid, startTime, this.config.runners.stopTimeoutSeconds * 1000);
      if (result !== 'gone') this.logger.warn(`camera ${cameraId} profile ${profileId}: processes left behind by runner pid ${pid} ${result === 'killed' ? 'killed' : 'stopped'}`);
    } catch (error) {
      this.logger.warn(`camera ${cameraId} profile ${profileId}: could not stop what runner pid ${pid} left behind: ${(error as Error).message}`);
    }
  }

  /**
   * Stops one runner gracefully (group TERM → wait → KILL) and records it. Its row is written
   * only while it still records this process: when the stop runs beside the enforcer (an HTTP
   * app, `bisk stop-runners`), the enforcer sees the exit and may record it and start the pair
   * again before this stop returns; the new process keeps its row.
   */
  private async stopRunner(runnerId: number, reason: string, events: NewEvent[], recordStop: boolean): Promise<'gone' | 'terminated' | 'killed'> {
    const t = this.tracked.get(runnerId);
    const row = t ? null : await this.repo.findRunner(runnerId);
    const pid = t?.pid ?? row?.pid ?? null;
    if (pid === null) return 'gone';
    if (t) t.stopping = true;
    try {
      await this.claimQuietly(runnerId, 'stopping', pid);
    } catch (error) {
      // Not stopped after all: ticks see it running again (a tracked runner being stopped is left alone).
      if (t) t.stopping = false;
      throw error;
    }
    const result = await this.processes.stop(pid, t?.startTime ?? row?.processStartTime ?? null, this.config.runners.stopTimeoutSeconds * 1000);
    if (t) this.tracked.drop(t);
    await this.repo.updateRunner(runnerId, { status: 'exited', pid: null, processStartTime: null, lastExitAt: this.clock.now(), crashCount: 0 }, pid);
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
