import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { forecast, forecastAt, forecastPauses } from './forecast.js';
import { activeSources, compareSources, desiredPairs, isPaused, type ScheduleInput, type SchedulePolicyInput, wallTime } from './schedule.js';

const BAGHDAD = 'Asia/Baghdad';
const local = (iso: string, zone = BAGHDAD) => DateTime.fromISO(iso, { zone }).toJSDate();
let windowIds = 100;
const win = (dayOfWeek: number, startTime: string, endTime: string, profileId: number, id = ++windowIds) => ({ id, dayOfWeek, startTime, endTime, profileId });
const policy = (over: Partial<SchedulePolicyInput> = {}): SchedulePolicyInput => ({ id: 1, isEnabled: true, cameraIds: [10], windows: [], exceptions: [], ...over });
const input = (policies: SchedulePolicyInput[], over: Partial<ScheduleInput> = {}): ScheduleInput => ({
  cameras: [{ id: 10, isActive: true, pauseUntil: null }, { id: 11, isActive: true, pauseUntil: null }],
  profiles: [1, 2, 3].map((id) => ({ id, isActive: true })),
  policies,
  ...over,
});
/** An interval as a page would say it: its sources as policy/window #id or policy/exception #id (mode). */
const shown = (intervals: ReturnType<typeof forecast>, zone = BAGHDAD) =>
  intervals.map((i) => {
    const sources = i.sources.map((s) => (s.window ? `${s.policyId}/w#${s.window.id}` : `${s.policyId}/e#${s.exception.id} ${s.exception.mode}`));
    return `c${i.cameraId} p${i.profileId} ${DateTime.fromJSDate(i.start, { zone }).toFormat('ccc HH:mm')}–${DateTime.fromJSDate(i.end, { zone }).toFormat('ccc HH:mm')} [${sources.join(', ')}]`;
  });

describe('forecast (a week as intervals)', () => {
  // Monday 2026-11-30 00:00 in Baghdad, for 7 days.
  const from = local('2026-11-30T00:00:00');
  const to = local('2026-12-07T00:00:00');

  it('gives every window of the week, an overnight window on the day it starts and the next, whole-day windows as 24 h', () => {
    const data = input([policy({ windows: [win(0, '08:00', '12:00', 1, 1), win(4, '22:00', '06:00', 2, 2), win(2, '00:00', '00:00', 3, 3)] })]);
    expect(shown(forecast(data, from, to, BAGHDAD))).toEqual([
      'c10 p1 Mon 08:00–Mon 12:00 [1/w#1]',
      'c10 p3 Wed 00:00–Thu 00:00 [1/w#3]',
      'c10 p2 Fri 22:00–Sat 06:00 [1/w#2]', // the tail after midnight is still Friday's window: one interval
    ]);
  });

  it('shows an off exception, a pause and the union of two policies as the enforcer will act', () => {
    const data = input(
      [
        policy({ id: 1, windows: [0, 1, 2].map((d) => win(d, '08:00', '12:00', 1, 11 + d)), exceptions: [{ id: 1, date: '2026-12-01', mode: 'off', startTime: null, endTime: null, profileId: null }] }),
        policy({ id: 2, windows: [win(2, '10:00', '14:00', 1, 21)] }),
      ],
      { cameras: [{ id: 10, isActive: true, pauseUntil: local('2026-11-30T09:30:00') }] },
    );
    expect(shown(forecast(data, from, to, BAGHDAD))).toEqual([
      'c10 p1 Mon 09:30–Mon 12:00 [1/w#11]', // paused until 09:30
      // Tuesday is off by exception.
      'c10 p1 Wed 08:00–Wed 10:00 [1/w#13]',
      'c10 p1 Wed 10:00–Wed 12:00 [1/w#13, 2/w#21]',
      'c10 p1 Wed 12:00–Wed 14:00 [2/w#21]',
    ]);
    expect(forecast(data, from, to, BAGHDAD).map((i) => i.policyIds)).toEqual([[1], [1], [1, 2], [2]]);
    expect(forecastPauses(data, from, to)).toEqual([{ cameraId: 10, start: from, end: local('2026-11-30T09:30:00') }]);
  });

  it('filters by camera and by policy', () => {
    const data = input([policy({ id: 1, cameraIds: [10, 11], windows: [win(0, '08:00', '09:00', 1, 1)] }), policy({ id: 2, cameraIds: [11], windows: [win(0, '10:00', '11:00', 2, 2)] })]);
    expect(shown(forecast(data, from, to, BAGHDAD, { cameraIds: [11] }))).toEqual(['c11 p1 Mon 08:00–Mon 09:00 [1/w#1]', 'c11 p2 Mon 10:00–Mon 11:00 [2/w#2]']);
    expect(shown(forecast(data, from, to, BAGHDAD, { policyIds: [2] }))).toEqual(['c11 p2 Mon 10:00–Mon 11:00 [2/w#2]']);
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
    const data = input([policy({ exceptions: [{ id: 9, date: '2027-01-20', mode: 'on', startTime: null, endTime: null, profileId: 1 }] })]);
    expect(shown(forecast(data, from, local('2027-02-01T00:00:00'), BAGHDAD))).toEqual(['c10 p1 Wed 00:00–Thu 00:00 [1/e#9 on]']);
  });
});

describe('forecast sources: what produced each interval', () => {
  const from = local('2026-11-30T00:00:00'); // Monday
  const to = local('2026-12-07T00:00:00');

  it.each([
    [
      'an overnight tail keeps the previous day’s window, across midnight, as one interval',
      [policy({ windows: [win(6, '22:00', '06:00', 1, 5)] })],
      // Sunday's window of the week before runs into Monday; this Sunday's runs past the range.
      ['c10 p1 Mon 00:00–Mon 06:00 [1/w#5]', 'c10 p1 Sun 22:00–Mon 00:00 [1/w#5]'],
    ],
    [
      'an on exception takes over an overnight tail of the same profile: the interval splits at midnight',
      [policy({ windows: [win(0, '22:00', '06:00', 1, 5)], exceptions: [{ id: 3, date: '2026-12-01', mode: 'on', startTime: null, endTime: null, profileId: 1 }] })],
      ['c10 p1 Mon 22:00–Tue 00:00 [1/w#5]', 'c10 p1 Tue 00:00–Wed 00:00 [1/e#3 on]'],
    ],
    [
      'a window exception names the exception',
      [policy({ windows: [win(3, '08:00', '16:00', 1, 5)], exceptions: [{ id: 4, date: '2026-12-03', mode: 'window', startTime: '10:00', endTime: '11:00', profileId: 2 }] })],
      ['c10 p2 Thu 10:00–Thu 11:00 [1/e#4 window]'],
    ],
    [
      'an off exception leaves nothing to name',
      [policy({ windows: [win(3, '08:00', '16:00', 1, 5)], exceptions: [{ id: 4, date: '2026-12-03', mode: 'off', startTime: null, endTime: null, profileId: null }] })],
      [],
    ],
    [
      'adjacent windows of one policy are two intervals (the runner runs on; end = next start)',
      [policy({ windows: [win(0, '08:00', '12:00', 1, 5), win(0, '12:00', '16:00', 1, 6)] })],
      ['c10 p1 Mon 08:00–Mon 12:00 [1/w#5]', 'c10 p1 Mon 12:00–Mon 16:00 [1/w#6]'],
    ],
    [
      'two policies wanting the same profile: both named while both want it',
      [policy({ id: 1, windows: [win(0, '08:00', '12:00', 1, 5)] }), policy({ id: 2, windows: [win(0, '08:00', '12:00', 1, 7), win(0, '12:00', '13:00', 1, 8)] })],
      ['c10 p1 Mon 08:00–Mon 12:00 [1/w#5, 2/w#7]', 'c10 p1 Mon 12:00–Mon 13:00 [2/w#8]'],
    ],
    [
      'overlapping windows of one policy (an old database): both named, split where one ends',
      [policy({ windows: [win(0, '08:00', '12:00', 1, 6), win(0, '10:00', '14:00', 1, 5)] })],
      ['c10 p1 Mon 08:00–Mon 10:00 [1/w#6]', 'c10 p1 Mon 10:00–Mon 12:00 [1/w#5, 1/w#6]', 'c10 p1 Mon 12:00–Mon 14:00 [1/w#5]'],
    ],
  ])('%s', (_label, policies, expected) => {
    const data = input(policies, { cameras: [{ id: 10, isActive: true, pauseUntil: null }] });
    expect(shown(forecast(data, from, to, BAGHDAD))).toEqual(expected);
  });

  it('gives the input’s own window and exception rows', () => {
    const windowRow = win(0, '08:00', '12:00', 1, 5);
    const [interval] = forecast(input([policy({ windows: [windowRow] })]), from, to, BAGHDAD);
    expect(interval.sources).toEqual([{ policyId: 1, profileId: 1, window: windowRow }]);
    expect(interval.sources[0].window).toBe(windowRow);
  });
});

describe('forecast pauses', () => {
  const from = local('2026-11-30T00:00:00');
  const to = local('2026-12-07T00:00:00');
  const cameras = (pauseUntil10: Date | null, pauseUntil11: Date | null) => ({
    cameras: [{ id: 10, isActive: true, pauseUntil: pauseUntil10 }, { id: 11, isActive: true, pauseUntil: pauseUntil11 }],
  });
  const data = (pauses: ReturnType<typeof cameras>) => input([policy({ id: 1, cameraIds: [10] }), policy({ id: 2, cameraIds: [11] })], pauses);

  it.each([
    ['a pause in force at `from` runs from `from` to its end', cameras(local('2026-12-01T09:30:00'), null), {}, [[10, '2026-11-30T00:00', '2026-12-01T09:30']]],
    ['a pause past the range is cut at `to`', cameras(null, local('2027-01-01T00:00:00')), {}, [[11, '2026-11-30T00:00', '2026-12-07T00:00']]],
    ['a pause that ended at `from` is gone', cameras(from, null), {}, []],
    ['the camera filter', cameras(local('2026-12-01T09:30:00'), local('2026-12-02T09:30:00')), { cameraIds: [11] }, [[11, '2026-11-30T00:00', '2026-12-02T09:30']]],
    ['the policy filter: that policy’s cameras', cameras(local('2026-12-01T09:30:00'), local('2026-12-02T09:30:00')), { policyIds: [1] }, [[10, '2026-11-30T00:00', '2026-12-01T09:30']]],
  ])('%s', (_label, pauses, options, expected) => {
    const at = (d: Date) => DateTime.fromJSDate(d, { zone: BAGHDAD }).toFormat("yyyy-MM-dd'T'HH:mm");
    expect(forecastPauses(data(pauses), from, to, options).map((p) => [p.cameraId, at(p.start), at(p.end)])).toEqual(expected);
  });
});

describe('forecast vs plan (property)', () => {
  const ZONES = ['UTC', 'Asia/Baghdad', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
  const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const window = fc.record({ id: fc.constant(0), dayOfWeek: fc.integer({ min: 0, max: 6 }), startTime: time, endTime: time, profileId: fc.integer({ min: 1, max: 3 }) });
  // Dates around the 2026 daylight-saving changes of the zones above, and ordinary ones.
  const dates = ['2026-03-08', '2026-03-09', '2026-03-29', '2026-03-30', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01', '2026-11-02', '2026-12-01'];
  const exception = fc.record({
    id: fc.constant(0),
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
      windows: fc.array(window, { maxLength: 8 }),
      exceptions: fc.uniqueArray(exception, { maxLength: 3, selector: (e) => e.date }),
    }),
    // Up to 4 policies of up to 8 windows: overlaps and adjacent windows of one profile come up.
    { maxLength: 4 },
  );
  const start = fc.constantFrom(...dates).chain((date) => fc.integer({ min: 0, max: 86_399 }).map((s) => ({ date, s })));

  // Camera 10 is sometimes paused until an instant inside the range (seconds after `from`).
  const pause = fc.option(fc.integer({ min: 1, max: 3 * 86_400 }), { nil: null });

  it('"the forecast says profile P runs on camera C at t" equals "the plan at t wants (C, P)", DST zones included; each interval\'s sources are the evaluation\'s at any instant inside it', () => {
    fc.assert(
      fc.property(
        policies, fc.constantFrom(...ZONES), start, fc.array(fc.integer({ min: 0, max: 3 * 86_400 }), { minLength: 1, maxLength: 12 }), pause,
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 8 }),
        (ps, zone, begin, offsets, pausedFor, fractions) => {
          const from = DateTime.fromISO(begin.date, { zone }).plus({ seconds: begin.s }).toJSDate();
          const to = new Date(from.getTime() + 3 * 86_400_000);
          const data: ScheduleInput = {
            cameras: [{ id: 10, isActive: true, pauseUntil: pausedFor === null ? null : new Date(from.getTime() + pausedFor * 1000) }, { id: 11, isActive: true, pauseUntil: null }],
            profiles: [1, 2, 3].map((id) => ({ id, isActive: id !== 3 })),
            // Ids unique across the input, as the database gives them.
            policies: ps.map((p, i) => ({
              ...p,
              id: i + 1,
              windows: p.windows.map((w, k) => ({ ...w, id: 100 * (i + 1) + k })),
              exceptions: p.exceptions.map((e, k) => ({ ...e, id: 100 * (i + 1) + k })),
            })),
          };
          const intervals = forecast(data, from, to, zone);
          const pauses = forecastPauses(data, from, to);
          for (const offset of offsets) {
            const at = new Date(Math.min(from.getTime() + offset * 1000, to.getTime() - 1));
            for (const cameraId of [10, 11]) {
              const wanted = desiredPairs(data, at, zone).filter((p) => p.cameraId === cameraId).map((p) => p.profileId).sort((a, b) => a - b);
              expect(forecastAt(intervals, cameraId, at)).toEqual(wanted);
              const camera = data.cameras.find((c) => c.id === cameraId)!;
              expect(pauses.some((p) => p.cameraId === cameraId && p.start <= at && at < p.end)).toBe(isPaused(camera, at));
            }
          }
          // Sources: at its first instant, its last millisecond and a random instant inside, each
          // interval names exactly the windows and exceptions the evaluation finds wanting that
          // pair (enabled policies of the camera; the interval's profile is active).
          intervals.forEach((interval, k) => {
            const span = interval.end.getTime() - interval.start.getTime();
            for (const inside of [0, span - 1, Math.floor(fractions[k % fractions.length] * span)]) {
              const wall = wallTime(new Date(interval.start.getTime() + inside), zone);
              const expected = data.policies
                .filter((p) => p.isEnabled && p.cameraIds.includes(interval.cameraId))
                .flatMap((p) => activeSources(p, wall))
                .filter((s) => s.profileId === interval.profileId)
                .sort(compareSources);
              expect(interval.sources).toEqual(expected);
            }
            expect(interval.sources.length).toBeGreaterThan(0);
            expect(interval.policyIds).toEqual([...new Set(interval.sources.map((s) => s.policyId))].sort((a, b) => a - b));
          });
        },
      ),
      { numRuns: 300, seed: 20261130 },
    );
  });
});
