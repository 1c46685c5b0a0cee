import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import type { EnforcerRepository } from './enforcer.repository.js';
import type { Handover } from './handover.js';
import type { ProcessAdapter } from './process.adapter.js';
import type { RunnerExecutor } from './runner.executor.js';
import { RunnerObserver } from './runner.observer.js';
import { TrackedRunners } from './tracked-runners.js';
import type { RunnerRow } from './world.js';

const row = { id: 7, cameraId: 3, profileId: 2, node: 'n1', status: 'running', pid: 4242, processStartTime: '1', specHash: 'h', startedAt: null, lastHeartbeatAt: null, crashCount: 0, lastExitAt: null } as unknown as RunnerRow;

/** The observer with a process table that knows only `alivePids`. */
function setup(alivePids: number[]) {
  const tracked = new TrackedRunners();
  const processes = { isAlive: (pid: number) => alivePids.includes(pid) } as unknown as ProcessAdapter;
  const observer = new RunnerObserver(loadConfig({ TZ: 'UTC', DATABASE_URL: ':memory:' }), {} as EnforcerRepository, processes, tracked, {} as Handover, {} as RunnerExecutor);
  return { observer, tracked };
}

const track = (tracked: TrackedRunners, pid: number) =>
  tracked.set({ runnerId: 7, cameraId: 3, profileId: 2, pid, startTime: '2', startedAt: 0, crashCount: 0, restartCount: 1, logFile: '/dev/null', stopping: false, started: null });

describe('RunnerObserver.observe', () => {
  it('sees a runner restarted in place after its row was read as alive, under its new pid', () => {
    const { observer, tracked } = setup([5151]);
    track(tracked, 5151); // 4242 exited and was restarted in place as 5151 after the tick read the row
    expect(observer.observe(row)).toMatchObject({ runnerId: 7, pid: 5151, alive: true, status: 'running' });
  });

  it('sees a tracked runner as the row records it', () => {
    const { observer, tracked } = setup([4242]);
    track(tracked, 4242);
    expect(observer.observe(row)).toMatchObject({ pid: 4242, alive: true });
  });

  it('sees a row whose process is gone, and one that records none, as not alive', () => {
    const { observer } = setup([]);
    expect(observer.observe(row)).toMatchObject({ pid: 4242, alive: false });
    expect(observer.observe({ ...row, pid: null, status: 'exited' })).toMatchObject({ pid: null, alive: false });
  });
});
