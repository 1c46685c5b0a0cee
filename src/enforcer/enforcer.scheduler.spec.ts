import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { afterEach, describe, expect, it } from 'vitest';
import { Clock } from '../common/clock.js';
import { loadConfig } from '../config/app-config.js';
import type { Breadcrumbs } from './breadcrumbs.js';
import { EnforcerMetrics } from './enforcer.metrics.js';
import { EnforcerScheduler, SCHEDULE } from './enforcer.scheduler.js';
import type { EnforcerService, TickResult } from './enforcer.service.js';
import type { Handover } from './handover.js';
import type { LeaseRepository } from './lease.repository.js';
import { EnforcerBusyError, EnforcerLock, holderIsDeadHere } from './lock.adapter.js';
import { NodePresence } from './presence.js';
import type { RunnerExecutor } from './runner.executor.js';

/** The real clock, moved forward by hand (`offset` ms). */
class MovableClock extends Clock {
  offset = 0;
  override now(): Date {
    return new Date(Date.now() + this.offset);
  }
}

/** The scheduler with a real registry and a real file lock, fakes for the tick and the database: timing, guards and exclusion. */
function setup(tickMs = 50, nextBoundary: Date | null = null, lockFile?: string, options: { env?: Record<string, string>; handover?: Partial<Handover>; acquireMs?: number; clock?: Clock; peers?: number } = {}) {
  const clock = options.clock ?? new Clock();
  const dir = mkdtempSync(join(tmpdir(), 'bisk-scheduler-'));
  const config = loadConfig({ TZ: 'UTC', ENFORCER_LOCK_FILE: lockFile ?? join(dir, 'lock'), ENFORCER_INTERVAL_SECONDS: '3600', DATABASE_URL: join(dir, 'db.sqlite'), ...options.env });
  let hang: Promise<void> | null = null;
  let duringTick: (() => void) | null = null;
  let startCheck: () => boolean = () => true;
  let active = 0;
  let maxActive = 0;
  const ticks: number[] = [];
  /** Lease statements (and runner stops) in the order they completed. */
  const leaseLog: string[] = [];
  const enforcer = {
    node: 'n1',
    phase: 'idle',
    async tick(): Promise<TickResult> {
      enforcer.phase = 'reading the world';
      active++;
      maxActive = Math.max(maxActive, active);
      ticks.push(Date.now());
      duringTick?.();
      await new Promise((r) => setTimeout(r, tickMs));
      if (hang) await hang; // a database that stopped answering
      active--;
      return { at: new Date(), durationMs: tickMs, desired: 0, runningBefore: 0, started: 0, stopped: 0, restarted: 0, waiting: 0, strays: 0, actions: [], wakeAt: null, nextBoundary };
    },
    stillWants: () => true,
  } as unknown as EnforcerService;
  const executor = {
    onRunnerExit() {},
    restartInPlaceWhen() {},
    startWhen(check: () => boolean) {
      startCheck = check;
    },
    warnAboutSettings() {},
    async stopRunners() {
      leaseLog.push('runners stopped');
      return { stopped: 0, skipped: 0 };
    },
  } as unknown as RunnerExecutor;
  const crumbs: Record<string, unknown> = {};
  let enforceRequestedAt: string | null = null;
  const breadcrumbs = {
    async write(v: Record<string, unknown>) {
      Object.assign(crumbs, v);
    },
    async enforceRequestedAt() {
      return enforceRequestedAt;
    },
    async clearRunning() {
      crumbs.runningPid = null;
    },
  } as unknown as Breadcrumbs;
  let acquires = 0;
  let acquireMs = options.acquireMs ?? 0;
  const leases = {
    engine: 'postgres',
    async acquire() {
      acquires++;
      if (acquireMs) await new Promise((r) => setTimeout(r, acquireMs));
      leaseLog.push('renewed');
      return { ok: true, lease: {}, peers: options.peers ?? 0 };
    },
    async release() {
      leaseLog.push('released');
    },
    async yield() {
      leaseLog.push('yielded');
    },
  } as unknown as LeaseRepository;
  const registry = new SchedulerRegistry();
  const presence = new NodePresence(config);
  const lock = new EnforcerLock(config, leases, clock, presence);
  const scheduler = new EnforcerScheduler(config, registry, lock, enforcer, executor, { hasPeers: false, ...options.handover } as Handover, breadcrumbs, clock, new EnforcerMetrics(), presence);
  return {
    scheduler, registry, lock, ticks, crumbs, dir, config,
    maxActive: () => maxActive,
    active: () => active,
    hangTicksUntil: (released: Promise<void>) => (hang = released.then(() => void (hang = null))),
    requestEnforce: (at: string) => (enforceRequestedAt = at),
    /** Runs inside every tick from now on (a runner exiting, a peer joining: another tick asked for). */
    duringTick: (fn: () => void) => (duringTick = fn),
    /** The scheduler's condition for starting a runner (RunnerExecutor.startWhen). */
    mayStart: () => startCheck(),
    /** How long each lease write takes from now on. */
    setAcquireMs: (ms: number) => (acquireMs = ms),
    /** Lease writes so far (takes and renewals). */
    acquires: () => acquires,
    leaseLog,
  };
}

const started: { scheduler: EnforcerScheduler; dir: string }[] = [];
afterEach(async () => {
  for (const { scheduler, dir } of started.splice(0)) {
    await scheduler.stop(false);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('EnforcerScheduler', () => {
  it('never overlaps ticks, and a request during a tick is followed by exactly one more', async () => {
    const s = setup(80);
    started.push(s);
    await s.scheduler.start();
    expect(s.ticks).toHaveLength(1);
    await Promise.all([s.scheduler.request('a'), s.scheduler.request('b'), s.scheduler.request('c'), s.scheduler.request('d')]);
    expect(s.ticks).toHaveLength(3); // the first request ran one, the three during it collapsed into one
    expect(s.maxActive()).toBe(1);
  });

  it('start() and a request return once the tick serving them ends, while a busy node keeps ticking', async () => {
    const s = setup(20);
    started.push(s);
    // Every tick asks for another, as runners exiting or peers joining during each tick do.
    s.duringTick(() => void s.scheduler.request('runner exit'));
    await s.scheduler.start();
    // The first tick, and the one asked for during it at most — never "until the requests stop".
    expect(s.ticks.length).toBeGreaterThanOrEqual(1);
    expect(s.ticks.length).toBeLessThanOrEqual(2);
    const before = s.ticks.length;
    await s.scheduler.request('enforce now');
    // Served by the tick after the one running when it came.
    expect(s.ticks.length - before).toBeGreaterThanOrEqual(1);
    expect(s.ticks.length - before).toBeLessThanOrEqual(2);
    expect(s.maxActive()).toBe(1);
    // Still ticking: nothing asked it to stop.
    const now = s.ticks.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(s.ticks.length).toBeGreaterThan(now);
    await s.scheduler.stop(false);
    const atStop = s.ticks.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(s.ticks.length).toBe(atStop);
  });

  it('renews the lease every interval while a long tick runs, and not between ticks', async () => {
    const s = setup(10, null, undefined, { env: { ENFORCER_INTERVAL_SECONDS: '1', ENFORCER_LEASE_SECONDS: '5' } });
    started.push(s);
    await s.scheduler.start(3600); // no interval ticks during the test: only the ones asked for
    const taken = s.acquires(); // the lease taken, and renewed by the first tick
    let release!: () => void;
    s.hangTicksUntil(new Promise<void>((r) => (release = r)));
    const slow = s.scheduler.request('slow tick');
    await new Promise((r) => setTimeout(r, 100));
    expect(s.acquires()).toBe(taken + 1); // the tick renewed as it began
    await s.scheduler.keepLease();
    expect(s.acquires()).toBe(taken + 1); // not due yet
    await new Promise((r) => setTimeout(r, 1000));
    expect(s.lock.sinceRenewMs).toBeGreaterThanOrEqual(1000);
    await s.scheduler.keepLease();
    expect(s.acquires()).toBe(taken + 2); // an interval into the tick: renewed from the keeper
    expect(s.lock.sinceRenewMs).toBeLessThan(200);
    expect(s.lock.fresh).toBe(true);
    release();
    await slow;
    await new Promise((r) => setTimeout(r, 1000));
    await s.scheduler.keepLease();
    expect(s.acquires()).toBe(taken + 2); // no tick running: the next tick renews, not the keeper
  });

  it('stops keeping the lease for a tick past its budget (a hung tick must not hold the node’s cameras forever)', async () => {
    const s = setup(10, null, undefined, { env: { ENFORCER_INTERVAL_SECONDS: '1', ENFORCER_LEASE_SECONDS: '5', ENFORCER_TICK_BUDGET_SECONDS: '1' } });
    started.push(s);
    await s.scheduler.start(3600);
    let release!: () => void;
    s.hangTicksUntil(new Promise<void>((r) => (release = r)));
    const hung = s.scheduler.request('hung tick');
    await new Promise((r) => setTimeout(r, 1150));
    const before = s.acquires();
    await s.scheduler.keepLease();
    expect(s.acquires()).toBe(before); // due by the interval, but the tick is over its 1 s budget
    expect(s.crumbs.lastError).toMatch(/tick did not finish within 1 s \(ENFORCER_TICK_BUDGET_SECONDS, still reading the world\)/);
    release();
    await hung;
  });

  it('fences before acting when a renewal lands later than the fence allows (its timer late on a busy loop)', async () => {
    // A clock moved by hand: the gaps a starved event loop would make, without waiting for them.
    const clock = new MovableClock();
    const fences: string[] = [];
    const handover = { hasPeers: true, fence: async (reason: string) => (fences.push(reason), 3) };
    const s = setup(5, null, undefined, { env: { ENFORCER_INTERVAL_SECONDS: '1', ENFORCER_LEASE_SECONDS: '5' }, handover, clock });
    started.push(s);
    await s.scheduler.start(3600);
    clock.offset += 3_000; // renewed 3 s after the previous one: within the fence's 4 s
    await s.scheduler.request('tick');
    expect(fences).toEqual([]);
    clock.offset += 4_500; // 4.5 s: the fence was due, and the lease may have lapsed in the others' eyes
    await s.scheduler.request('tick');
    // (4.5 s and the real time the test took: 4.5 or a little more.)
    expect(fences).toEqual([expect.stringMatching(/^lease of node n1 renewed 4\.[5-9] s after the previous renewal, later than the fence allows \(4 s\)$/)]);
    clock.offset += 4_500; // a lone node never fences: nobody would take its cameras over
    handover.hasPeers = false;
    await s.scheduler.request('tick');
    expect(fences).toHaveLength(1);
    expect(s.ticks.length).toBe(4);
  });

  it('times the fence from when the renewal was sent: one that waited for a connection does not push it past the lease', async () => {
    const fenced: number[] = [];
    const handover = { hasPeers: true, fence: async () => (fenced.push(Date.now()), 0) };
    // Lease 4 s, interval 2 s: the fence is due 2 s after the renewal was sent.
    const s = setup(1, null, undefined, { env: { ENFORCER_INTERVAL_SECONDS: '2', ENFORCER_LEASE_SECONDS: '4' }, handover });
    started.push(s);
    await s.scheduler.start(3600);
    s.setAcquireMs(1500);
    // Sent at once, answered 1.5 s later: within the fence's 2 s of the previous renewal (no overdue fence).
    await s.scheduler.request('tick');
    const answered = Date.now();
    await waitFor(() => fenced.length > 0, 4000);
    // Due 0.5 s after the answer (2 s after sending); from the answer it would be 2 s, with 0.5 s of the lease left.
    expect(fenced[0] - answered).toBeLessThan(1500);
  });

  it('fences a node that was alone at its last tick when its renewal saw another node’s lease', async () => {
    const fences: string[] = [];
    // The tick saw no peers; another node took its lease since (a long first tick, a node joining meanwhile).
    const handover = { hasPeers: false, fence: async (reason: string) => (fences.push(reason), 0) };
    const s = setup(1, null, undefined, { env: { ENFORCER_INTERVAL_SECONDS: '1', ENFORCER_LEASE_SECONDS: '2' }, handover, peers: 1 });
    started.push(s);
    await s.scheduler.start(3600);
    expect(s.lock.peers).toBe(1);
    await waitFor(() => fences.length > 0, 3000);
    expect(fences).toEqual([expect.stringMatching(/^lease of node n1 not renewed for 1 s$/)]);
  });

  it('never fences a node that is alone by its tick and its renewal', async () => {
    const fences: string[] = [];
    const s = setup(1, null, undefined, { env: { ENFORCER_INTERVAL_SECONDS: '1', ENFORCER_LEASE_SECONDS: '2' }, handover: { hasPeers: false, fence: async (reason: string) => (fences.push(reason), 0) } });
    started.push(s);
    await s.scheduler.start(3600);
    await new Promise((r) => setTimeout(r, 1500));
    expect(fences).toEqual([]);
  });

  it('starts nothing from a tick older than the fence, even with the lease kept young', async () => {
    const clock = new MovableClock();
    const s = setup(5, null, undefined, { env: { ENFORCER_INTERVAL_SECONDS: '1', ENFORCER_LEASE_SECONDS: '5' }, clock });
    started.push(s);
    await s.scheduler.start(3600);
    expect(s.mayStart()).toBe(true);
    let release!: () => void;
    s.hangTicksUntil(new Promise<void>((r) => (release = r)));
    const slow = s.scheduler.request('slow tick');
    await new Promise((r) => setTimeout(r, 50));
    clock.offset += 3_000;
    await s.scheduler.keepLease();
    expect(s.mayStart()).toBe(true); // the view is 3 s old: within the fence's 4 s
    clock.offset += 1_500;
    await s.scheduler.keepLease();
    expect(s.lock.fresh).toBe(true); // the keeper renewed the lease…
    expect(s.mayStart()).toBe(false); // …but the tick's view is 4.5 s old
    release();
    await slow;
    expect(s.mayStart()).toBe(true);
  });

  it('sends one lease renewal when the tick’s and the keeper’s come together', async () => {
    const s = setup(10);
    started.push(s);
    await s.scheduler.start(3600);
    const before = s.acquires();
    const renewals = await Promise.all([s.lock.renewLease(), s.lock.renewLease(), s.lock.renewLease()]);
    expect(renewals).toEqual([true, true, true]);
    expect(s.acquires()).toBe(before + 1);
    // The next one, after it came back, is a renewal of its own.
    await s.lock.renewLease();
    expect(s.acquires()).toBe(before + 2);
  });

  it('lets a renewal on its way land before yielding the lease on stop (it would take the lease back)', async () => {
    const s = setup(10, null, undefined, { acquireMs: 150 });
    started.push(s);
    await s.scheduler.start(3600);
    s.leaseLog.length = 0;
    const renewal = s.lock.renewLease(); // the keeper's, still on its way when the stop comes
    await s.scheduler.stop(false);
    await renewal;
    expect(s.leaseLog).toEqual(['renewed', 'yielded']);
  });

  it('renews the lease after the last tick, before stopping the runners (a long last tick must not let it run out meanwhile)', async () => {
    const s = setup(10);
    started.push(s);
    await s.scheduler.start(3600);
    let release!: () => void;
    s.hangTicksUntil(new Promise<void>((r) => (release = r)));
    void s.scheduler.request('long tick');
    await new Promise((r) => setTimeout(r, 50));
    s.leaseLog.length = 0;
    const stopping = s.scheduler.stop(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.leaseLog).toEqual([]); // waiting for the tick
    release();
    await stopping;
    expect(s.leaseLog).toEqual(['renewed', 'runners stopped', 'yielded']);
  });

  it('writes the metrics exposition to the state store after a tick at most every 10 s, not after every tick', async () => {
    const s = setup(1);
    started.push(s);
    await s.scheduler.start(3600);
    expect(s.crumbs.metrics).toMatch(/^bisk_enforcer_tick_duration_seconds_count 1$/m);
    delete s.crumbs.metrics;
    await s.scheduler.request('tick');
    await s.scheduler.request('tick');
    expect(s.crumbs.lastOk).toBeTruthy();
    expect(s.crumbs.metrics).toBeUndefined();
  });

  it('registers the reconcile interval under its name once the lock and lease are held, and removes it on stop', async () => {
    const s = setup(1);
    expect(s.registry.doesExist('interval', SCHEDULE.tick)).toBe(false);
    await s.scheduler.start(7);
    expect(s.registry.getInterval(SCHEDULE.tick)).toBeDefined();
    expect(s.registry.doesExist('timeout', SCHEDULE.fence)).toBe(true);
    await s.scheduler.stop(false);
    expect(s.registry.doesExist('interval', SCHEDULE.tick)).toBe(false);
    expect(s.registry.doesExist('timeout', SCHEDULE.fence)).toBe(false);
    expect(s.lock.lockHeld).toBe(false);
    rmSync(s.dir, { recursive: true, force: true });
  });

  it('wakes at the next schedule boundary (a registry timeout) when it comes before the interval', async () => {
    const s = setup(1, new Date(Date.now() + 300));
    started.push(s);
    await s.scheduler.start();
    expect(s.registry.doesExist('timeout', SCHEDULE.wake)).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    expect(s.ticks.length).toBeGreaterThanOrEqual(2);
    expect(s.ticks[1] - s.ticks[0]).toBeGreaterThanOrEqual(250);
  });

  it('does nothing from any handler while it does not hold the lock', async () => {
    const s = setup(1, new Date(Date.now() + 100));
    s.requestEnforce(new Date().toISOString());
    s.scheduler.onInterval();
    await s.scheduler.pollEnforceRequests();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.ticks).toHaveLength(0);
    expect(s.registry.getIntervals()).toEqual([]);
    expect(s.crumbs).toEqual({});
    rmSync(s.dir, { recursive: true, force: true });
  });

  it('ticks on an "enforce now" request seen by its poll, once per request', async () => {
    const s = setup(1);
    started.push(s);
    await s.scheduler.start();
    await s.scheduler.pollEnforceRequests();
    expect(s.ticks).toHaveLength(1);
    s.requestEnforce('2026-11-29T10:00:00.000Z');
    await s.scheduler.pollEnforceRequests();
    await s.scheduler.pollEnforceRequests();
    expect(s.ticks).toHaveLength(2);
  });

  it('leaves breadcrumbs: PID, node, interval, last run and last OK', async () => {
    const s = setup(1);
    started.push(s);
    await s.scheduler.start();
    expect(s.crumbs).toMatchObject({ runningPid: process.pid, node: 'n1', intervalSeconds: 3600, lastError: null });
    expect(typeof s.crumbs.lastOk).toBe('string');
  });

  it('refuses to start while another holds the lock, with the operators’ message', async () => {
    const a = setup(1);
    started.push(a);
    await a.scheduler.start();
    const b = setup(1, null, a.config.enforcer.lockFile);
    await expect(b.scheduler.start()).rejects.toThrow(new EnforcerBusyError(`Another enforcer holds the lock: ${a.config.enforcer.lockFile} (pid=${process.pid})`));
    expect(b.registry.getIntervals()).toEqual([]);
    rmSync(b.dir, { recursive: true, force: true });
  });

  it('records a tick that hangs past its budget as failed within the budget, fences meanwhile, and recovers when it ends', async () => {
    let release!: () => void;
    const fenced: string[] = [];
    const s = setup(1, null, undefined, {
      env: { ENFORCER_TICK_BUDGET_SECONDS: '1', ENFORCER_INTERVAL_SECONDS: '1', ENFORCER_LEASE_SECONDS: '2' },
      handover: { hasPeers: true, fence: async (reason: string) => {
        fenced.push(reason);
        return 0;
      } },
    });
    started.push(s);
    await s.scheduler.start();
    expect(s.crumbs.lastError).toBeNull();
    s.hangTicksUntil(new Promise<void>((r) => (release = r)));
    const began = Date.now();
    void s.scheduler.request('test');
    await waitFor(() => typeof s.crumbs.lastError === 'string', 3000);
    expect(Date.now() - began).toBeGreaterThanOrEqual(950);
    expect(Date.now() - began).toBeLessThan(1800);
    expect(s.crumbs.lastError).toMatch(/^\S+ tick did not finish within 1 s \(ENFORCER_TICK_BUDGET_SECONDS, still reading the world\): the database or state store is not answering$/);
    // The lease was last renewed as the hung tick began: the fence (2 s lease, 1 s interval) fires 1 s later, tick or no tick.
    await waitFor(() => fenced.length > 0, 3000);
    expect(fenced[0]).toMatch(/lease of node n1 not renewed for 1 s/);
    expect(s.active()).toBe(1); // still hung: not abandoned, no second tick beside it
    expect(s.maxActive()).toBe(1);
    release();
    await waitFor(() => s.crumbs.lastError === null, 3000);
  });

  it('tells a dead lease holder on this host from a live one', async () => {
    const { hostname } = await import('node:os');
    expect(holderIsDeadHere(`${hostname()}:${process.pid}:0:abcd`)).toBe(false);
    expect(holderIsDeadHere(`${hostname()}:999999999:0:abcd`)).toBe(true);
    expect(holderIsDeadHere(`other-host:999999999:0:abcd`)).toBe(false);
  });
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
