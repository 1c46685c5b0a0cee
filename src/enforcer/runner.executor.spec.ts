import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Clock } from '../common/clock.js';
import { loadConfig } from '../config/app-config.js';
import { EnforcerMetrics } from './enforcer.metrics.js';
import type { EnforcerRepository, NewEvent } from './enforcer.repository.js';
import type { Action } from './plan.js';
import type { ProcessAdapter } from './process.adapter.js';
import { RunnerExecutor } from './runner.executor.js';
import type { EffectiveSpec } from './spec.js';
import { TrackedRunners } from './tracked-runners.js';
import type { World } from './world.js';

const spec: EffectiveSpec = {
  cameraId: 3, profileId: 2, rtspUrl: 'rtsp://cam/s', fps: 6, detSet: '800', rtspTransport: 'auto', hbInterval: 10, snapshotEvery: 3,
  device: 'cpu', hwaccel: 'none', gpuIndex: null, cpuNice: null, cpuAffinity: null, capMaxFps: null, capDetSetMax: null, extraArgs: {},
};
const EMPTY = { runners: [] } as unknown as World;

/** The executor with a recording process table and database: what it claims and spawns. */
function setup(options: { pidWriteFails?: boolean | (() => boolean); onClaim?: () => void } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-executor-'));
  const config = loadConfig({ TZ: 'UTC', DATABASE_URL: ':memory:', RUNNER_LOG_DIR: dir, RUNNER_COMMAND: '/bin/true' });
  const claims: unknown[] = [];
  /** Row writes: [id, values, condition]. */
  const writes: unknown[][] = [];
  let recordedPid: number | null = null;
  /** Each spawned process's exit callback, by pid. */
  const exits = new Map<number, (exit: { code: number | null; signal: string | null }) => void>();
  let nextPid = 4242;
  const spawned: string[][] = [];
  const repo = {
    createRunner: async (values: unknown) => {
      claims.push(values);
      options.onClaim?.();
      return { id: 1, cameraId: 3, profileId: 2, crashCount: 0, restartCount: 0 };
    },
    updateRunner: async (_id: number, values: { pid?: number | null }, condition?: unknown) => {
      writes.push([_id, values, condition]);
      const fails = typeof options.pidWriteFails === 'function' ? options.pidWriteFails() : options.pidWriteFails;
      if (fails && typeof values.pid === 'number') throw new Error('timeout exceeded when trying to connect');
      if (typeof values.pid === 'number') recordedPid = values.pid;
      return true;
    },
    findRunner: async () => ({ id: 1, cameraId: 3, profileId: 2, pid: recordedPid, status: 'running', crashCount: 0, restartCount: 0 }),
    addEvents: async () => undefined,
  } as unknown as EnforcerRepository;
  const stopped: number[] = [];
  const processes = {
    spawn: async (request: { argv: string[] }, onExit: (exit: { code: number | null; signal: string | null }) => void) => {
      spawned.push(request.argv);
      const pid = nextPid++;
      exits.set(pid, onExit);
      return { pid, startTime: '1' };
    },
    tail: () => '',
    stop: async (pid: number) => {
      stopped.push(pid);
      return 'terminated';
    },
    capLog: () => false,
  } as unknown as ProcessAdapter;
  const tracked = new TrackedRunners();
  const executor = new RunnerExecutor(config, repo, processes, tracked, new Clock(), new EnforcerMetrics());
  return { executor, claims, spawned, stopped, tracked, exits, writes };
}

const start: Action = { kind: 'start', cameraId: 3, profileId: 2, runnerId: null, spec, hash: 'h', reason: 'wanted' };

describe('RunnerExecutor and the start guard', () => {
  it('starts what the plan says while the guard allows', async () => {
    const { executor, claims, spawned } = setup();
    executor.startWhen(() => true);
    const counts = await executor.execute([start], EMPTY, new Date(), [] as NewEvent[]);
    expect(counts.started).toBe(1);
    expect(claims).toHaveLength(1);
    expect(spawned).toHaveLength(1);
  });

  it('claims and spawns nothing once the guard says the lease is stale (a tick that outlasted its fence)', async () => {
    const { executor, claims, spawned } = setup();
    let fresh = true;
    executor.startWhen(() => fresh);
    fresh = false;
    const counts = await executor.execute([start, { ...start, cameraId: 4, spec: { ...spec, cameraId: 4 } }], EMPTY, new Date(), [] as NewEvent[]);
    expect(counts.started).toBe(0);
    expect(claims).toEqual([]);
    expect(spawned).toEqual([]);
  });

  it('lets go of its claim, spawning nothing, when the guard turned while the claim was on its way (a fence fired meanwhile)', async () => {
    let fresh = true;
    const { executor, claims, spawned, writes } = setup({ onClaim: () => (fresh = false) });
    executor.startWhen(() => fresh);
    const counts = await executor.execute([start], EMPTY, new Date(), [] as NewEvent[]);
    expect(claims).toHaveLength(1);
    expect(spawned).toEqual([]);
    expect(counts.started).toBe(0);
    expect(writes).toEqual([[1, { status: 'exited' }, { pid: null, status: 'starting' }]]);
  });

  it('stops a runner it spawned when its row could not record it (the database knows of no process)', async () => {
    const { executor, spawned, stopped, tracked } = setup({ pidWriteFails: true });
    executor.startWhen(() => true);
    const events: NewEvent[] = [];
    const counts = await executor.execute([start], EMPTY, new Date(), events);
    expect(spawned).toHaveLength(1);
    expect(counts.started).toBe(0);
    expect(stopped).toEqual([4242]);
    expect(tracked.all()).toEqual([]);
    expect(events.map((e) => e.message)).toEqual([expect.stringMatching(/^cannot start runner: timeout exceeded when trying to connect; retry in \d+ s$/)]);
  });

  it('stops the process a restart in place spawned when its row could not record it', async () => {
    let failing = false;
    const { executor, spawned, stopped, tracked, exits } = setup({ pidWriteFails: () => failing });
    executor.startWhen(() => true);
    executor.restartInPlaceWhen(() => true);
    await executor.execute([start], EMPTY, new Date(), [] as NewEvent[]);
    expect(tracked.all().map((t) => t.pid)).toEqual([4242]);
    // Stable for long enough that its exit is answered by a restart in place (no back-off).
    tracked.all()[0].startedAt -= 3_600_000;
    failing = true; // the database stops answering
    exits.get(4242)!({ code: 1, signal: null });
    await vi.waitFor(() => expect(spawned).toHaveLength(2));
    // (4242's group is reaped after its exit, as always.)
    await vi.waitFor(() => expect(stopped).toContain(4243));
    expect(tracked.all()).toEqual([]);
  });
});
