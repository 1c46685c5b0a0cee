import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Clock } from '../common/clock.js';
import { loadConfig } from '../config/app-config.js';
import type { Breadcrumbs } from './breadcrumbs.js';
import { EnforcerBusyError, EnforcerLoop, holderIsDeadHere } from './enforcer.loop.js';
import { EnforcerMetrics } from './enforcer.metrics.js';
import type { EnforcerService, TickResult } from './enforcer.service.js';
import type { LeaseRepository } from './lease.repository.js';

/** The loop with fakes around it: only timing and exclusion are under test here. */
function setup(tickMs = 50, nextBoundary: Date | null = null) {
  const dir = mkdtempSync(join(tmpdir(), 'bisk-loop-'));
  const config = loadConfig({ TZ: 'UTC', ENFORCER_LOCK_FILE: join(dir, 'lock'), ENFORCER_INTERVAL_SECONDS: '3600', DATABASE_URL: join(dir, 'db.sqlite') });
  let active = 0;
  let maxActive = 0;
  const ticks: number[] = [];
  const enforcer = {
    node: 'n1',
    onRunnerExit() {},
    async tick(): Promise<TickResult> {
      active++;
      maxActive = Math.max(maxActive, active);
      ticks.push(Date.now());
      await new Promise((r) => setTimeout(r, tickMs));
      active--;
      return { at: new Date(), durationMs: tickMs, desired: 0, runningBefore: 0, started: 0, stopped: 0, restarted: 0, waiting: 0, strays: 0, actions: [], wakeAt: null, nextBoundary };
    },
    async stopRunners() {
      return { stopped: 0, skipped: 0 };
    },
  } as unknown as EnforcerService;
  const crumbs: Record<string, unknown> = {};
  const breadcrumbs = {
    async write(v: Record<string, unknown>) {
      Object.assign(crumbs, v);
    },
    async enforceRequestedAt() {
      return null;
    },
    async clearRunning() {
      crumbs.runningPid = null;
    },
  } as unknown as Breadcrumbs;
  const leases = {
    async acquire() {
      return { ok: true, lease: {} };
    },
    async release() {},
  } as unknown as LeaseRepository;
  const loop = new EnforcerLoop(config, enforcer, leases, breadcrumbs, new Clock(), new EnforcerMetrics());
  return { loop, ticks, crumbs, dir, config, maxActive: () => maxActive };
}

const loops: { loop: EnforcerLoop; dir: string }[] = [];
afterEach(async () => {
  for (const { loop, dir } of loops.splice(0)) {
    await loop.stop(false);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('EnforcerLoop', () => {
  it('never overlaps ticks, and a request during a tick is followed by exactly one more', async () => {
    const s = setup(80);
    loops.push(s);
    await s.loop.start();
    expect(s.ticks).toHaveLength(1);
    await Promise.all([s.loop.request('a'), s.loop.request('b'), s.loop.request('c'), s.loop.request('d')]);
    expect(s.ticks).toHaveLength(3); // the first request ran one, the three during it collapsed into one
    expect(s.maxActive()).toBe(1);
  });

  it('wakes at the next schedule boundary when it comes before the interval', async () => {
    const s = setup(1, new Date(Date.now() + 300));
    loops.push(s);
    await s.loop.start();
    await new Promise((r) => setTimeout(r, 600));
    expect(s.ticks.length).toBeGreaterThanOrEqual(2);
    expect(s.ticks[1] - s.ticks[0]).toBeGreaterThanOrEqual(250);
  });

  it('leaves breadcrumbs: PID, node, interval, last run and last OK', async () => {
    const s = setup(1);
    loops.push(s);
    await s.loop.start();
    expect(s.crumbs).toMatchObject({ runningPid: process.pid, node: 'n1', intervalSeconds: 3600, lastError: null });
    expect(typeof s.crumbs.lastOk).toBe('string');
  });

  it('refuses to start while another holds the lock, with the operators’ message', async () => {
    const a = setup(1);
    loops.push(a);
    await a.loop.start();
    const b = setup(1);
    loops.push({ loop: b.loop, dir: b.dir });
    await expect(b.loop.start(a.config.enforcer.lockFile)).rejects.toThrow(
      new EnforcerBusyError(`Another enforcer holds the lock: ${a.config.enforcer.lockFile} (pid=${process.pid})`),
    );
  });

  it('tells a dead lease holder on this host from a live one', async () => {
    const { hostname } = await import('node:os');
    expect(holderIsDeadHere(`${hostname()}:${process.pid}:0:abcd`)).toBe(false);
    expect(holderIsDeadHere(`${hostname()}:999999999:0:abcd`)).toBe(true);
    expect(holderIsDeadHere(`other-host:999999999:0:abcd`)).toBe(false);
  });
});
