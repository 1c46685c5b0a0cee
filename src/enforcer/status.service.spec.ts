import { describe, expect, it } from 'vitest';
import type { EnforcerBreadcrumbs } from './breadcrumbs.js';
import { enforcerLiveness } from './status.service.js';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
const crumbs = (values: Partial<EnforcerBreadcrumbs>): EnforcerBreadcrumbs => ({
  runningPid: null, node: null, host: null, lastRun: null, lastOk: null, lastError: null, intervalSeconds: 15, nextWake: null, lastTick: null, startedAt: null, metrics: null,
  ...values,
});

describe('enforcerLiveness (the one definition of "the enforcer is alive")', () => {
  it.each([
    ['nothing recorded', {}, false, false, 'no successful enforcer tick recorded yet'],
    ['running and ticking', { runningPid: 7, lastRun: ago(3), lastOk: ago(3) }, true, true, null],
    ['running, last tick 50 s ago: at the limit', { runningPid: 7, lastRun: ago(50), lastOk: ago(50) }, true, true, null],
    ['running, last tick 51 s ago', { runningPid: 7, lastRun: ago(51), lastOk: ago(51) }, false, false, 'last successful tick 51 s ago (limit 50 s)'],
    ['ticking but failing (database away)', { runningPid: 7, lastRun: ago(2), lastOk: ago(120) }, true, false, 'last successful tick 120 s ago (limit 50 s)'],
    ['a one-off `bisk enforce`, no service', { lastRun: ago(2), lastOk: ago(2) }, false, false, 'no enforcer is running (the last tick came from a one-off `bisk enforce`)'],
    ['a 1 s interval: limit 8 s', { runningPid: 7, intervalSeconds: 1, lastRun: ago(9), lastOk: ago(9) }, false, false, 'last successful tick 9 s ago (limit 8 s)'],
  ])('%s', (_name, values, alive, healthy, reason) => {
    const live = enforcerLiveness(crumbs(values), NOW);
    expect(live).toMatchObject({ alive, healthy, reason });
  });
});
