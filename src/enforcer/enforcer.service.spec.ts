import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Clock } from '../common/clock.js';
import { loadConfig } from '../config/app-config.js';
import type { EnforcerRepository } from './enforcer.repository.js';
import { EnforcerService } from './enforcer.service.js';
import type { Handover } from './handover.js';
import type { RunnerExecutor } from './runner.executor.js';
import type { RunnerObserver } from './runner.observer.js';
import type { World } from './world.js';

const EMPTY: World = { cameras: [], profiles: [], policies: [], windows: [], exceptions: [], links: [], resources: [], runners: [], leases: [] };

/** The tick with fakes around it: a database that answers after `answerMs`. */
function setup(answerMs: number) {
  // A 2 s lease renewed every second: the fence fires 1 s after the last renewal.
  const config = loadConfig({ TZ: 'UTC', DATABASE_URL: ':memory:', ENFORCER_INTERVAL_SECONDS: '1', ENFORCER_LEASE_SECONDS: '2' });
  const executed: unknown[] = [];
  const repo = {
    loadWorld: async () => {
      await new Promise((r) => setTimeout(r, answerMs));
      return structuredClone(EMPTY);
    },
    clearPauses: async () => undefined,
    addEvents: async () => undefined,
  } as unknown as EnforcerRepository;
  const observer = { findStrays: () => [] } as unknown as RunnerObserver;
  const handover = { noteWorld: () => undefined, gate: async () => ({ specs: [], waiting: 0 }) } as unknown as Handover;
  const executor = {
    execute: async (actions: unknown[]) => {
      executed.push(actions);
      return { started: 0, stopped: 0, restarted: 0, waiting: 0 };
    },
  } as unknown as RunnerExecutor;
  return { service: new EnforcerService(config, repo, observer, handover, executor, new Clock()), executed };
}

describe('EnforcerService.tick and a slow database', () => {
  it('acts on an answer that came in time', async () => {
    const { service, executed } = setup(10);
    await expect(service.tick()).resolves.toMatchObject({ desired: 0 });
    expect(executed).toHaveLength(1);
  });

  it('does nothing with an answer that came after the lease could have been lost (other nodes may have taken over)', async () => {
    const { service, executed } = setup(1200);
    await expect(service.tick()).rejects.toThrow(/^the database took 1 s to answer, longer than the lease allows: nothing done with that answer$/);
    expect(executed).toEqual([]);
  });
});
