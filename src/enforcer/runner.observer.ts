import { Injectable } from '@nestjs/common';
import { ACTIVE_RUNNER_STATUSES } from '../common/domain.js';
import { maskCredentials } from '../common/mask.js';
import { AppConfig } from '../config/app-config.js';
import { EnforcerRepository, type NewEvent } from './enforcer.repository.js';
import { Handover } from './handover.js';
import type { ObservedRunner, StrayProcess } from './plan.js';
import { ProcessAdapter } from './process.adapter.js';
import { logFileFor } from './runner-command.js';
import { nextCrashCount, RunnerExecutor } from './runner.executor.js';
import { TrackedRunners } from './tracked-runners.js';
import type { RunnerRow } from './world.js';

/**
 * The tick's first concern: what is really running. Each runner row against the process
 * table (PID + kernel start time), adopting live runners this process does not know yet,
 * recording deaths nobody saw, and finding marked processes no row accounts for (strays).
 */
@Injectable()
export class RunnerObserver {
  constructor(
    private readonly config: AppConfig,
    private readonly repo: EnforcerRepository,
    private readonly processes: ProcessAdapter,
    private readonly tracked: TrackedRunners,
    private readonly handover: Handover,
    private readonly executor: RunnerExecutor,
  ) {}

  /**
   * The row as the planner sees it, without changing anything (dry runs). A runner this process
   * is stopping (the API in an embedded enforcer, fencing) is alive and stopping until its stop
   * has returned, whatever the row says yet: the plan leaves it alone, and starts the pair
   * again only once the stop has recorded the exit, never beside the old process.
   */
  observe(row: RunnerRow): ObservedRunner {
    const t = this.tracked.get(row.id);
    // Restarted in place (RunnerExecutor.answerExit) after this row was read: the row still names
    // the process that exited, this process knows its successor — which runs; starting the pair
    // again from the old row would put a second process beside it.
    const pid = t && row.pid !== null && t.pid !== row.pid ? t.pid : row.pid;
    const alive = pid !== null && (t ? t.pid === pid : this.processes.isAlive(pid, row.processStartTime));
    return {
      runnerId: row.id,
      cameraId: row.cameraId,
      profileId: row.profileId,
      pid,
      alive,
      status: alive && t?.stopping ? 'stopping' : row.status,
      specHash: row.specHash,
      startedAt: row.startedAt,
      lastHeartbeatAt: row.lastHeartbeatAt,
      crashes: row.crashCount,
      lastExitAt: row.lastExitAt,
    };
  }

  /** Adopts live runners this process does not know yet; records deaths nobody saw. */
  async reconcile(row: RunnerRow, now: Date, events: NewEvent[]): Promise<ObservedRunner> {
    const observed = this.observe(row);
    const known = this.tracked.get(row.id);
    if (row.pid === null) {
      if (known || !ACTIVE_RUNNER_STATUSES.has(row.status)) return observed;
      // A claim whose process was never recorded: its start failed and so did the write that
      // should have said so (a database that stopped answering mid-start). Nothing runs, yet the
      // row holds the pair for every node — another owner would wait for it for as long as this
      // node lives. Let go of it (only while it is still as read), keeping its crash count.
      const message = 'its start was never recorded (the database did not answer): nothing runs, the pair is released';
      if (await this.repo.updateRunner(row.id, { status: 'failed', lastExitAt: now, lastError: message }, { pid: null, status: row.status })) {
        events.push({ kind: 'error', cameraId: row.cameraId, profileId: row.profileId, message: `runner ${row.id} (${row.status}): ${message}` });
        return { ...observed, status: 'failed', lastExitAt: now };
      }
      return observed;
    }
    if (observed.alive && !known) {
      this.executor.adopt(row);
      events.push({ kind: 'adopt', cameraId: row.cameraId, profileId: row.profileId, pid: row.pid, message: `adopted running runner (pid ${row.pid}) instead of starting a duplicate` });
      if (row.status !== 'running') await this.executor.claimQuietly(row.id, 'running');
      return { ...observed, status: 'running' };
    }
    if (!observed.alive && !known && this.handover.takeFenced(row.id)) {
      const message = 'stopped while this node could not renew its lease (database unreachable), so that another node could take it over';
      await this.repo.updateRunner(row.id, { status: 'exited', pid: null, processStartTime: null, lastExitAt: now, lastError: message });
      events.push({ kind: 'handover', cameraId: row.cameraId, profileId: row.profileId, pid: row.pid, message });
      return { ...observed, alive: false, pid: null, status: 'exited', lastExitAt: now };
    }
    if (!observed.alive && !known && row.status === 'stopping') {
      // Stopped on purpose by someone else (an HTTP app, `bisk stop-runners`), whose stop may not
      // have returned yet: recorded as that stop records it (no crash, no back-off; the stop's
      // event is theirs), so the pair starts again at once and their late write leaves it alone.
      void this.executor.reapGroup(row.pid, row.processStartTime, row.cameraId, row.profileId);
      await this.repo.updateRunner(row.id, { status: 'exited', pid: null, processStartTime: null, lastExitAt: now, crashCount: 0 }, row.pid);
      return { ...observed, alive: false, pid: null, status: 'exited', crashes: 0, lastExitAt: now };
    }
    if (!observed.alive && !known && ['running', 'starting'].includes(row.status)) {
      void this.executor.reapGroup(row.pid, row.processStartTime, row.cameraId, row.profileId);
      const crashCount = nextCrashCount(row.crashCount, row.startedAt?.getTime() ?? now.getTime(), now.getTime());
      const lastError = this.processes.tail(logFileFor(this.config.runners.logDir, row.cameraId, row.profileId), 3) || 'process ended while no enforcer was watching';
      await this.repo.updateRunner(row.id, { status: 'backoff', pid: null, processStartTime: null, lastExitAt: now, crashCount, lastError: maskCredentials(lastError) });
      events.push({ kind: 'crash', cameraId: row.cameraId, profileId: row.profileId, pid: row.pid, message: `process ${row.pid} is gone: ${maskCredentials(lastError.split('\n').pop() ?? '')}` });
      return { ...observed, alive: false, pid: null, status: 'backoff', crashes: crashCount, lastExitAt: now };
    }
    return observed;
  }

  /**
   * Marked runner processes of this node that no live row accounts for: rows deleted with
   * their camera or profile, rows pointing at another process or at none (taken over by another
   * node), leftovers of a crash.
   */
  findStrays(rows: RunnerRow[]): StrayProcess[] {
    const node = this.config.enforcer.nodeName;
    const recorded = new Map(rows.map((r) => [r.id, r.pid]));
    const owned = new Map(rows.filter((r) => r.pid !== null).map((r) => [r.pid!, r]));
    const trackedPids = new Map(this.tracked.all().map((t) => [t.pid, t]));
    const strays = this.processes
      .findMarked()
      .filter((p) => p.node === node)
      .filter((p) => {
        const t = trackedPids.get(p.pid);
        // A row that records no process any more was taken over by another node (this one was
        // stalled, or cut off and back): its process must not run beside the new owner's.
        if (t) return (recorded.get(t.runnerId) ?? null) === null && !t.stopping;
        const row = owned.get(p.pid);
        return !row || row.id !== p.runnerId || (row.processStartTime !== null && row.processStartTime !== p.startTime);
      })
      .map((p): StrayProcess => ({ pid: p.pid, startTime: p.startTime, runnerId: p.runnerId }));
    // ffmpeg and other children still running after their runner ended (killed from outside,
    // crashed while the enforcer was down): the group's leader is gone, so nobody else will stop them.
    const orphans = this.processes
      .findOrphanedGroups()
      .filter((g) => g.node === node && !trackedPids.has(g.pgid))
      .map((g): StrayProcess => ({ pid: g.pgid, startTime: null, runnerId: g.runnerId, orphans: g.members.length }));
    return [...strays, ...orphans];
  }
}
