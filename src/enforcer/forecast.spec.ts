import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { forecast, forecastAt } from './forecast.js';
import { desiredPairs, type ScheduleInput, type SchedulePolicyInput } from './schedule.js';

const BAGHDAD = 'Asia/Baghdad';
const local = (iso: string, zone = BAGHDAD) => DateTime.fromISO(iso, { zone }).toJSDate();
const win = (dayOfWeek: number, startTime: string, endTime: string, profileId: number) => ({ dayOfWeek, startTime, endTime, profileId });
const policy = (over: Partial<SchedulePolicyInput> = {}): SchedulePolicyInput => ({ id: 1, isEnabled: true, cameraIds: [10], windows: [], exceptions: [], ...over });
const input = (policies: SchedulePolicyInput[], over: Partial<ScheduleInput> = {}): ScheduleInput => ({
  cameras: [{ id: 10, isActive: true, pauseUntil: null }, { id: 11, isActive: true, pauseUntil: null }],
  profiles: [1, 2, 3].map((id) => ({ id, isActive: true })),
  policies,
  ...over,
});
const shown = (intervals: ReturnType<typeof forecast>, zone = BAGHDAD) =>
  intervals.map((i) => `c${i.cameraId} p${i.profileId} ${DateTime.fromJSDate(i.start, { zone }).toFormat('ccc HH:mm')}–${DateTime.fromJSDate(i.end, { zone }).toFormat('ccc HH:mm')} [${i.policyIds}]`);

describe('forecast (a week as intervals)', () => {
  // Monday 2026-11-30 00:00 in Baghdad, for 7 days.
  const from = local('2026-11-30T00:00:00');
  const to = local('2026-12-07T00:00:00');

  it('gives every window of the week, an overnight window on the day it starts and the next, whole-day windows as 24 h', () => {
    const data = input([policy({ windows: [win(0, '08:00', '12:00', 1), win(4, '22:00', '06:00', 2), win(2, '00:00', '00:00', 3)] })]);
    expect(shown(forecast(data, from, to, BAGHDAD))).toEqual([
      'c10 p1 Mon 08:00–Mon 12:00 [1]',
      'c10 p3 Wed 00:00–Thu 00:00 [1]',
      'c10 p2 Fri 22:00–Sat 06:00 [1]',
    ]);
  });

  it('shows an off exception, a pause and the union of two policies as the enforcer will act', () => {
    const data = input(
      [
        policy({ id: 1, windows: [0, 1, 2].map((d) => win(d, '08:00', '12:00', 1)), exceptions: [{ date: '2026-12-01', mode: 'off', startTime: null, endTime: null, profileId: null }] }),
        policy({ id: 2, windows: [win(2, '10:00', '14:00', 1)] }),
      ],
      { cameras: [{ id: 10, isActive: true, pauseUntil: local('2026-11-30T09:30:00') }] },
    );
    expect(shown(forecast(data, from, to, BAGHDAD))).toEqual([
      'c10 p1 Mon 09:30–Mon 12:00 [1]', // paused until 09:30
      // Tuesday is off by exception.
      'c10 p1 Wed 08:00–Wed 10:00 [1]',
      'c10 p1 Wed 10:00–Wed 12:00 [1,2]',
      'c10 p1 Wed 12:00–Wed 14:00 [2]',
    ]);
  });

  it('filters by camera and by policy', () => {
    const data = input([policy({ id: 1, cameraIds: [10, 11], windows: [win(0, '08:00', '09:00', 1)] }), policy({ id: 2, cameraIds: [11], windows: [win(0, '10:00', '11:00', 2)] })]);
    expect(shown(forecast(data, from, to, BAGHDAD, { cameraIds: [11] }))).toEqual(['c11 p1 Mon 08:00–Mon 09:00 [1]', 'c11 p2 Mon 10:00–Mon 11:00 [2]']);
    expect(shown(forecast(data, from, to, BAGHDAD, { policyIds: [2] }))).toEqual(['c11 p2 Mon 10:00–Mon 11:00 [2]']);
  });

  it('keeps wall-clock hours on a daylight-saving day (Europe/Berlin, 29 March 2026 is 23 h long)', () => {
    const zone = 'Europe/Berlin';
    const data = input([policy({ windows: [win(6, '01:00', '05:00', 1)] })]);
    const [interval] = forecast(data, local('2026-03-29T00:00:00', zone), local('2026-03-30T00:00:00', zone), zone);
    expect(DateTime.fromJSDate(interval.start, { zone }).toFormat('HH:mm')).toBe('01:00');
    expect(DateTime.fromJSDate(interval.end, { zone }).toFormat('HH:mm')).toBe('05:00');
    expect((interval.end.getTime() - interval.start.getTime()) / 3_600_000).toBe(3); // 02:00–03:00 does not exist
  });

  it('starts a window whose opening time is skipped by spring-forward at the jump itself', () => {
    const zone = 'Europe/Berlin'; // 2026-03-29 02:00 → 03:00
    const data = input([policy({ windows: [win(6, '02:30', '04:00', 1)] })]);
    const intervals = forecast(data, local('2026-03-29T00:00:00', zone), local('2026-03-30T00:00:00', zone), zone);
    expect(intervals.map((i) => [i.start.toISOString(), i.end.toISOString()])).toEqual([['2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z']]);
    expect(desiredPairs(data, new Date('2026-03-29T01:00:00Z'), zone)).toHaveLength(1);
    expect(desiredPairs(data, new Date('2026-03-29T00:59:59Z'), zone)).toHaveLength(0);
  });

  it('sees an exception weeks ahead even when nothing else ever changes', () => {
    const data = input([policy({ exceptions: [{ date: '2027-01-20', mode: 'on', startTime: null, endTime: null, profileId: 1 }] })]);
    expect(shown(forecast(data, from, local('2027-02-01T00:00:00'), BAGHDAD))).toEqual(['c10 p1 Wed 00:00–Thu 00:00 [1]']);
  });
});

describe('forecast vs plan (property)', () => {
  const ZONES = ['UTC', 'Asia/Baghdad', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
  const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const window = fc.record({ dayOfWeek: fc.integer({ min: 0, max: 6 }), startTime: time, endTime: time, profileId: fc.integer({ min: 1, max: 3 }) });
  // Dates around the 2026 daylight-saving changes of the zones above, and ordinary ones.
  const dates = ['2026-03-08', '2026-03-09', '2026-03-29', '2026-03-30', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01', '2026-11-02', '2026-12-01'];
  const exception = fc.record({
    date: fc.constantFrom(...dates),
    mode: fc.constantFrom('off' as const, 'on' as const, 'window' as const),
    startTime: time,
    endTime: time,
    profileId: fc.integer({ min: 1, max: 3 }),
  }).map((e) => (e.mode === 'off' ? { ...e, startTime: null, endTime: null, profileId: null } : e.mode === 'on' ? { ...e, startTime: null, endTime: null } : e));
  const policies = fc.array(
    fc.record({
      id: fc.integer({ min: 1, max: 4 }),
      isEnabled: fc.boolean(),
      cameraIds: fc.subarray([10, 11]),
      windows: fc.array(window, { maxLength: 5 }),
      exceptions: fc.uniqueArray(exception, { maxLength: 3, selector: (e) => e.date }),
    }),
    { maxLength: 3 },
  );
  const start = fc.constantFrom(...dates).chain((date) => fc.integer({ min: 0, max: 86_399 }).map((s) => ({ date, s })));

  it('"the forecast says profile P runs on camera C at t" equals "the plan at t wants (C, P)", DST zones included', () => {
    fc.assert(
      fc.property(policies, fc.constantFrom(...ZONES), start, fc.array(fc.integer({ min: 0, max: 3 * 86_400 }), { minLength: 1, maxLength: 12 }), (ps, zone, begin, offsets) => {
        const data: ScheduleInput = {
          cameras: [{ id: 10, isActive: true, pauseUntil: null }, { id: 11, isActive: true, pauseUntil: null }],
          profiles: [1, 2, 3].map((id) => ({ id, isActive: id !== 3 })),
          policies: ps.map((p, i) => ({ ...p, id: i + 1 })),
        };
        const from = DateTime.fromISO(begin.date, { zone }).plus({ seconds: begin.s }).toJSDate();
        const to = new Date(from.getTime() + 3 * 86_400_000);
        const intervals = forecast(data, from, to, zone);
        for (const offset of offsets) {
          const at = new Date(Math.min(from.getTime() + offset * 1000, to.getTime() - 1));
          for (const cameraId of [10, 11]) {
            const wanted = desiredPairs(data, at, zone).filter((p) => p.cameraId === cameraId).map((p) => p.profileId).sort((a, b) => a - b);
            expect(forecastAt(intervals, cameraId, at)).toEqual(wanted);
          }
        }
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });
});
