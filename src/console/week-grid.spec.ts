import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeProfiles, type SchedulePolicyInput } from '../enforcer/schedule.js';
import { forecastDays, type ForecastSpan, type GridWindow, nowMark, profileColour, weekBars } from './week-grid.js';

const win = (dayOfWeek: number, startTime: string, endTime: string, profileId = 1): GridWindow => ({ dayOfWeek, startTime, endTime, profileId, label: `w${dayOfWeek}` });
/** Bars reduced to what the picture shows: [day, from, to, lane, profile, tail]. */
const shape = (windows: GridWindow[]) => weekBars(windows).bars.map((b) => [b.day, b.from, b.to, b.lane, b.profileId, b.tail]);

describe('weekBars: the week as bars', () => {
  it.each<[string, GridWindow[], unknown[][], number[]]>([
    ['nothing', [], [], [1, 1, 1, 1, 1, 1, 1]],
    ['same day', [win(1, '08:00', '12:30')], [[1, 480, 750, 0, 1, false]], [1, 1, 1, 1, 1, 1, 1]],
    ['seconds are fractions of a minute', [win(0, '08:00:30', '08:01:00')], [[0, 480.5, 481, 0, 1, false]], [1, 1, 1, 1, 1, 1, 1]],
    ['whole day when start = end', [win(3, '07:00', '07:00')], [[3, 0, 1440, 0, 1, false]], [1, 1, 1, 1, 1, 1, 1]],
    ['whole day at midnight', [win(3, '00:00', '00:00')], [[3, 0, 1440, 0, 1, false]], [1, 1, 1, 1, 1, 1, 1]],
    ['overnight: to midnight, tail on the next day', [win(1, '22:00', '06:00', 2)], [[1, 1320, 1440, 0, 2, false], [2, 0, 360, 0, 2, true]], [1, 1, 1, 1, 1, 1, 1]],
    ['Sunday overnight: tail on Monday', [win(6, '23:00', '01:15')], [[0, 0, 75, 0, 1, true], [6, 1380, 1440, 0, 1, false]], [1, 1, 1, 1, 1, 1, 1]],
    ['ending at 00:00: no tail', [win(4, '20:00', '00:00')], [[4, 1200, 1440, 0, 1, false]], [1, 1, 1, 1, 1, 1, 1]],
    ['touching bars share a lane', [win(0, '08:00', '12:00'), win(0, '12:00', '16:00', 2)], [[0, 480, 720, 0, 1, false], [0, 720, 960, 0, 2, false]], [1, 1, 1, 1, 1, 1, 1]],
    ['overlapping bars take lanes', [win(0, '10:00', '14:00', 2), win(0, '08:00', '12:00')], [[0, 480, 720, 0, 1, false], [0, 600, 840, 1, 2, false]], [2, 1, 1, 1, 1, 1, 1]],
    [
      'a freed lane is reused',
      [win(2, '08:00', '12:00'), win(2, '09:00', '10:00', 2), win(2, '10:30', '11:00', 3)],
      [[2, 480, 720, 0, 1, false], [2, 540, 600, 1, 2, false], [2, 630, 660, 1, 3, false]],
      [1, 1, 2, 1, 1, 1, 1],
    ],
    [
      'a tail overlapping the next day’s window',
      [win(0, '22:00', '09:00'), win(1, '08:00', '10:00', 2)],
      [[0, 1320, 1440, 0, 1, false], [1, 0, 540, 0, 1, true], [1, 480, 600, 1, 2, false]],
      [1, 2, 1, 1, 1, 1, 1],
    ],
    ['three at once', [win(5, '00:00', '00:00'), win(5, '01:00', '02:00'), win(5, '01:30', '03:00')], [[5, 0, 1440, 0, 1, false], [5, 60, 120, 1, 1, false], [5, 90, 180, 2, 1, false]], [1, 1, 1, 1, 1, 3, 1]],
  ])('%s', (_name, windows, bars, lanes) => {
    expect(shape(windows)).toStrictEqual(bars);
    expect(weekBars(windows).lanes).toStrictEqual(lanes);
  });

  it('keeps each bar’s label, link and disabled mark, the tail’s too', () => {
    const { bars } = weekBars([
      { dayOfWeek: 1, startTime: '22:00', endTime: '06:00', profileId: 4, label: 'Weekdays · Tue 22:00–06:00', href: '/dash/policies/9', disabled: true },
      { dayOfWeek: 3, startTime: '08:00', endTime: '09:00', profileId: 4, label: 'Thu' },
    ]);
    expect(bars.map((b) => [b.day, b.label, b.href, b.disabled])).toStrictEqual([
      [1, 'Weekdays · Tue 22:00–06:00', '/dash/policies/9', true],
      [2, 'Weekdays · Tue 22:00–06:00', '/dash/policies/9', true],
      [3, 'Thu', undefined, false],
    ]);
  });

  describe('the picture equals the schedule evaluation', () => {
    // Half the times from a few edges, so whole-day (start = end) and midnight-ending windows come up often.
    const time = fc.oneof(
      fc.constantFrom('00:00:00', '00:00:30', '12:00:00', '23:59:30'),
      fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.constantFrom(0, 0, 0, 30))
        .map(([h, m, s]) => [h, m, s].map((n) => String(n).padStart(2, '0')).join(':')),
    );
    const windows = fc.array(
      fc.record({ dayOfWeek: fc.integer({ min: 0, max: 6 }), startTime: time, endTime: time, profileId: fc.integer({ min: 1, max: 4 }) }),
      { maxLength: 8 },
    );

    it('every minute of the week: the profiles of the bars over it = activeProfiles', () => {
      fc.assert(
        fc.property(windows, (rows) => {
          const policy: SchedulePolicyInput = {
            id: 1, isEnabled: true, cameraIds: [], exceptions: [],
            windows: rows.map((w, id) => ({ id, ...w })),
          };
          const { bars, lanes } = weekBars(rows.map((w) => ({ ...w, label: '' })));
          for (let day = 0; day < 7; day++) {
            const today = bars.filter((b) => b.day === day);
            for (let minute = 0; minute < 1440; minute++) {
              const drawn = new Set(today.filter((b) => b.from <= minute && minute < b.to).map((b) => b.profileId));
              // The date only matters for exceptions; there are none.
              const wanted = activeProfiles(policy, { date: '2026-01-05', weekday: day, seconds: minute * 60 });
              if ([...drawn].sort().join() !== [...wanted].sort().join()) {
                throw new Error(`day ${day} minute ${minute}: drawn ${[...drawn]} wanted ${[...wanted]}`);
              }
            }
            // Bars in one lane never overlap, and the day has room for every lane used.
            for (const a of today) {
              expect(a.lane).toBeLessThan(lanes[day]);
              for (const b of today) if (a !== b && a.lane === b.lane) expect(a.to <= b.from || b.to <= a.from).toBe(true);
            }
          }
        }),
        { numRuns: 100 },
      );
    });
  });
});

describe('nowMark: where now falls in the week', () => {
  it.each<[string, string, string, { day: number; minute: number }]>([
    ['Sunday before the spring change', '2026-03-29T00:30:00Z', 'Europe/Berlin', { day: 6, minute: 90 }],
    ['Sunday after the spring change', '2026-03-29T01:30:00Z', 'Europe/Berlin', { day: 6, minute: 210 }],
    ['a UTC instant that is already Monday in Berlin', '2026-03-29T22:15:00Z', 'Europe/Berlin', { day: 0, minute: 15 }],
    ['seconds as a fraction', '2026-01-07T12:00:30Z', 'UTC', { day: 2, minute: 720.5 }],
    ['behind UTC', '2026-01-05T03:00:00Z', 'America/New_York', { day: 6, minute: 1320 }],
  ])('%s', (_name, iso, zone, mark) => {
    expect(nowMark(new Date(iso), zone)).toStrictEqual(mark);
  });
});

describe('forecastDays: the forecast per local day', () => {
  const BERLIN = 'Europe/Berlin';
  const at = (iso: string) => new Date(iso);
  const span = (start: string, end: string, profileId = 1, pause?: boolean): ForecastSpan => ({ start: at(start), end: at(end), profileId, label: `p${profileId}`, ...(pause ? { pause } : {}) });
  const hours = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(2, '0'));

  it('a 23-hour spring day: 02 skipped, bars by elapsed time', () => {
    // 2026-03-29 in Berlin: 02:00 CET → 03:00 CEST at 01:00Z; the local day is 23 h (23:00Z → 22:00Z).
    const days = forecastDays([span('2026-03-28T21:00:00Z', '2026-03-29T02:00:00Z')], at('2026-03-28T12:00:00Z'), 3, BERLIN, at('2026-03-29T01:30:00Z'));
    expect(days.map((d) => [d.date, d.weekday, d.hours, d.ticks.length])).toStrictEqual([
      ['2026-03-28', 5, 24, 24], ['2026-03-29', 6, 23, 23], ['2026-03-30', 0, 24, 24],
    ]);
    const [sat, sun, mon] = days;
    expect(sun.ticks.map((t) => t.label)).toStrictEqual(['00', '01', ...hours(3, 23)]);
    expect(sun.ticks.slice(0, 4).map((t) => t.at)).toStrictEqual([0, 1 / 23, 2 / 23, 3 / 23]);
    expect(sat.bars).toStrictEqual([{ from: 22 / 24, to: 1, lane: 0, profileId: 1, label: 'p1', startLocal: '22:00', endLocal: '24:00', pause: false }]);
    // 00:00 → 04:00 local is 3 hours elapsed of 23.
    expect(sun.bars).toStrictEqual([{ from: 0, to: 3 / 23, lane: 0, profileId: 1, label: 'p1', startLocal: '00:00', endLocal: '04:00', pause: false }]);
    expect(mon.bars).toStrictEqual([]);
    // now (03:30 CEST) is 2.5 h into the day, and only on that day.
    expect(days.map((d) => d.now)).toStrictEqual([null, 2.5 / 23, null]);
  });

  it('a 25-hour autumn day: 02 shown twice, bars by elapsed time', () => {
    // 2026-10-25 in Berlin: 03:00 CEST → 02:00 CET at 01:00Z; the local day is 25 h (22:00Z → 23:00Z).
    const days = forecastDays(
      [span('2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', 2), span('2026-10-25T01:30:00Z', '2026-10-25T02:00:00Z', 3, true)],
      at('2026-10-25T10:00:00Z'), 1, BERLIN, at('2026-10-26T10:00:00Z'),
    );
    expect(days).toHaveLength(1);
    const [sun] = days;
    expect([sun.date, sun.weekday, sun.hours, sun.lanes, sun.now]).toStrictEqual(['2026-10-25', 6, 25, 1, null]);
    expect(sun.ticks.map((t) => t.label)).toStrictEqual(['00', '01', '02', '02', ...hours(3, 23)]);
    expect(sun.ticks.map((t) => t.at)).toStrictEqual(Array.from({ length: 25 }, (_, i) => i / 25));
    expect(sun.bars).toStrictEqual([
      // 02:30 CEST → 02:30 CET: 2.5 h → 3.5 h elapsed.
      { from: 2.5 / 25, to: 3.5 / 25, lane: 0, profileId: 2, label: 'p2', startLocal: '02:30', endLocal: '02:30', pause: false },
      { from: 3.5 / 25, to: 4 / 25, lane: 0, profileId: 3, label: 'p3', startLocal: '02:30', endLocal: '03:00', pause: true },
    ]);
  });

  it.each<[string, ForecastSpan[], unknown[][], number[]]>([
    ['a span over three days is cut at each local midnight', [span('2026-01-05T20:00:00Z', '2026-01-07T05:00:00Z')], [[[21 / 24, 1, '21:00', '24:00']], [[0, 1, '00:00', '24:00']], [[0, 6 / 24, '00:00', '06:00']]], [1, 1, 1]],
    ['ending exactly at the first midnight: not on the next day', [span('2026-01-05T22:00:00Z', '2026-01-05T23:00:00Z')], [[[23 / 24, 1, '23:00', '24:00']], [], []], [1, 1, 1]],
    ['outside the days: left out', [span('2026-01-04T10:00:00Z', '2026-01-04T22:59:00Z'), span('2026-01-08T23:00:00Z', '2026-01-09T01:00:00Z')], [[], [], []], [1, 1, 1]],
    [
      'overlapping spans take lanes',
      [span('2026-01-06T07:00:00Z', '2026-01-06T11:00:00Z', 1), span('2026-01-06T09:00:00Z', '2026-01-06T10:00:00Z', 2, true)],
      [[], [[8 / 24, 12 / 24, '08:00', '12:00'], [10 / 24, 11 / 24, '10:00', '11:00']], []],
      [1, 2, 1],
    ],
  ])('%s', (_name, spans, bars, lanes) => {
    // Berlin in January is UTC+1: the days are 2026-01-05 (23:00Z the day before) … 2026-01-07.
    const days = forecastDays(spans, at('2026-01-05T12:00:00Z'), 3, BERLIN, at('2026-01-01T00:00:00Z'));
    expect(days.map((d) => d.date)).toStrictEqual(['2026-01-05', '2026-01-06', '2026-01-07']);
    expect(days.map((d) => d.bars.map((b) => [b.from, b.to, b.startLocal, b.endLocal]))).toStrictEqual(bars);
    expect(days.map((d) => d.lanes)).toStrictEqual(lanes);
  });

  it('keeps pause: true on pause spans and false elsewhere', () => {
    const [day] = forecastDays([span('2026-01-05T08:00:00Z', '2026-01-05T09:00:00Z', 1, true), span('2026-01-05T10:00:00Z', '2026-01-05T11:00:00Z', 2)], at('2026-01-05T00:00:00Z'), 1, 'UTC', at('2026-01-05T00:00:00Z'));
    expect(day.bars.map((b) => [b.profileId, b.pause])).toStrictEqual([[1, true], [2, false]]);
    expect(day.now).toBe(0);
  });
});

describe('profileColour', () => {
  it.each([[0, 'p0'], [7, 'p7'], [10, 'p0'], [13, 'p3'], [-1, 'p9'], [2_147_483_647, 'p7']])('%i → %s', (id, colour) => {
    expect(profileColour(id)).toBe(colour);
  });
});
