import { describe, expect, it } from 'vitest';
import {
  duplicateDates, type ExceptionInput, exceptionProblems, normalizeException, type WindowTimes, windowOverlaps, windowOverlapsWith,
} from './schedule.rules.js';

const fields = (input: ExceptionInput) => exceptionProblems(input).map((p) => p.messages[0]);

describe('exception rules', () => {
  it.each<[ExceptionInput, string[]]>([
    [{ date: 'd', mode: 'off' }, []],
    [{ date: 'd', mode: 'off', profileId: 1 }, ['profileId is not allowed when mode is "off" (nothing runs)']],
    [{ date: 'd', mode: 'off', startTime: '08:00' }, ['startTime is only allowed when mode is "window"']],
    [{ date: 'd', mode: 'on', profileId: 1 }, []],
    [{ date: 'd', mode: 'on' }, ['profileId is required when mode is "on"']],
    [{ date: 'd', mode: 'on', profileId: 1, endTime: '09:00' }, ['endTime is only allowed when mode is "window"']],
    [{ date: 'd', mode: 'window', startTime: '08:00', endTime: '09:00', profileId: 1 }, []],
    [{ date: 'd', mode: 'window', startTime: '08:00', endTime: '09:00' }, ['profileId is required when mode is "window"']],
    [{ date: 'd', mode: 'window', profileId: 1 }, ['startTime is required when mode is "window"', 'endTime is required when mode is "window"']],
    [{ date: 'd', mode: 'window', startTime: '09:00', endTime: '08:00', profileId: 1 }, [expect.stringContaining('endTime must be later than startTime')]],
    [{ date: 'd', mode: 'window', startTime: '08:00', endTime: '08:00:00', profileId: 1 }, [expect.stringContaining('endTime must be later than startTime')]],
    [{ date: 'd', mode: 'window', startTime: '08:00', endTime: '08:00:01', profileId: 1 }, []],
  ])('%j → %j', (input, expected) => {
    expect(fields(input)).toEqual(expected);
  });

  it('prefixes field paths', () => {
    expect(exceptionProblems({ date: 'd', mode: 'on' }, 'exceptions[2]')[0]).toEqual({
      field: 'exceptions[2].profileId',
      messages: ['exceptions[2].profileId is required when mode is "on"'],
    });
  });

  it.each<[ExceptionInput, object]>([
    [{ date: 'd', mode: 'window', startTime: '8:00'.padStart(5, '0'), endTime: '09:30', profileId: 3 }, { startTime: '08:00:00', endTime: '09:30:00', profileId: 3 }],
    [{ date: 'd', mode: 'on', profileId: 3, startTime: null }, { startTime: null, endTime: null, profileId: 3 }],
    [{ date: 'd', mode: 'off' }, { startTime: null, endTime: null, profileId: null }],
  ])('normalizes %j', (input, expected) => {
    expect(normalizeException(input)).toMatchObject(expected);
  });

  it('finds dates used twice', () => {
    expect(duplicateDates([{ date: 'b' }, { date: 'a' }, { date: 'b' }, { date: 'a' }, { date: 'c' }])).toEqual(['a', 'b']);
  });
});

const w = (dayOfWeek: number, startTime: string, endTime: string, profileId = 1) => ({ dayOfWeek, startTime, endTime, profileId });
const MON = 0;
const TUE = 1;
const WED = 2;
const SAT = 5;
const SUN = 6;

describe('overlapping windows of one policy', () => {
  it.each<[string, WindowTimes[], Record<string, string[]>]>([
    ['none', [], {}],
    ['different days, same times', [w(MON, '08:00', '12:00'), w(TUE, '08:00', '12:00')], {}],
    ['touching (end = next start)', [w(TUE, '08:00', '12:00'), w(TUE, '12:00', '14:00')], {}],
    ['touching, seconds written differently', [w(TUE, '08:00', '12:00:00'), w(TUE, '12:00', '14:00')], {}],
    ['overlapping on the same day', [w(TUE, '08:00', '12:00'), w(TUE, '10:00', '14:00')],
      { 'windows[1]': ['Overlapping windows on Tue: 08:00–12:00 conflicts with 10:00–14:00'] }],
    ['reported on the later one in the list, earlier start named first', [w(TUE, '10:00', '14:00'), w(TUE, '08:00', '12:00')],
      { 'windows[1]': ['Overlapping windows on Tue: 08:00–12:00 conflicts with 10:00–14:00'] }],
    ['one second of overlap, seconds shown', [w(TUE, '08:00', '12:00:01'), w(TUE, '12:00', '14:00:30')],
      { 'windows[1]': ['Overlapping windows on Tue: 08:00–12:00:01 conflicts with 12:00–14:00:30'] }],
    ['same-time duplicate', [w(TUE, '08:00', '12:00'), w(TUE, '08:00:00', '12:00')],
      { 'windows[1]': ['Overlapping windows on Tue: 08:00–12:00 conflicts with 08:00–12:00'] }],
    ['one inside another', [w(TUE, '08:00', '18:00'), w(TUE, '09:00', '10:00'), w(TUE, '11:00', '12:00')], {
      'windows[1]': ['Overlapping windows on Tue: 08:00–18:00 conflicts with 09:00–10:00'],
      'windows[2]': ['Overlapping windows on Tue: 08:00–18:00 conflicts with 11:00–12:00'],
    }],
    ['different profiles still clash', [w(TUE, '08:00', '12:00', 1), w(TUE, '11:00', '13:00', 2)],
      { 'windows[1]': ['Overlapping windows on Tue: 08:00–12:00 conflicts with 11:00–13:00'] }],
    ['overnight tail onto the next day', [w(MON, '22:00', '06:00'), w(TUE, '05:00', '08:00')],
      { 'windows[1]': ['Overlapping windows on Tue: Mon 22:00–06:00 conflicts with 05:00–08:00'] }],
    ['overnight tail touching the next morning', [w(MON, '22:00', '06:00'), w(TUE, '06:00', '08:00')], {}],
    ['overnight tail does not reach the next evening', [w(MON, '22:00', '06:00'), w(TUE, '22:00', '23:00')], {}],
    ['overnight ending at midnight has no tail', [w(MON, '22:00', '00:00'), w(TUE, '00:00', '01:00')], {}],
    ['overnight vs its own day\'s evening', [w(MON, '23:00', '23:30'), w(MON, '22:00', '06:00')],
      { 'windows[1]': ['Overlapping windows on Mon: 22:00–06:00 conflicts with 23:00–23:30'] }],
    ['Sunday night wraps into Monday', [w(MON, '05:30', '07:00'), w(SUN, '23:00', '06:00')],
      { 'windows[1]': ['Overlapping windows on Mon: Sun 23:00–06:00 conflicts with 05:30–07:00'] }],
    ['two overnight windows on consecutive nights', [w(MON, '22:00', '06:00'), w(TUE, '04:00', '03:00')],
      { 'windows[1]': ['Overlapping windows on Tue: Mon 22:00–06:00 conflicts with 04:00–03:00'] }],
    ['whole day vs anything that day', [w(SAT, '00:00', '00:00'), w(SAT, '23:59', '23:59:30')],
      { 'windows[1]': ['Overlapping windows on Sat: 00:00–00:00 (whole day) conflicts with 23:59–23:59:30'] }],
    ['whole day (start = end at any time) vs the tail from the night before', [w(MON, '22:00', '06:00'), w(TUE, '12:00', '12:00')],
      { 'windows[1]': ['Overlapping windows on Tue: Mon 22:00–06:00 conflicts with 12:00–12:00 (whole day)'] }],
    ['whole days on every day', [0, 1, 2, 3, 4, 5, 6].map((d) => w(d, '00:00', '00:00')), {}],
    ['one window clashing on two days', [w(TUE, '01:00', '02:00'), w(MON, '20:00', '21:00'), w(MON, '18:00', '03:00')], {
      'windows[2]': [
        'Overlapping windows on Mon: 18:00–03:00 conflicts with 20:00–21:00',
        'Overlapping windows on Tue: Mon 18:00–03:00 conflicts with 01:00–02:00',
      ],
    }],
  ])('%s', (_, windows, expected) => {
    expect(Object.fromEntries(windowOverlaps(windows).map((e) => [e.field, e.messages]))).toEqual(expected);
  });

  it('returns field errors in list order, under a caller\'s field names', () => {
    expect(windowOverlaps([w(TUE, '08:00', '09:00'), w(MON, '10:00', '11:00'), w(MON, '10:30', '12:00'), w(TUE, '08:30', '10:00')], (i) => `days.${i}`)).toEqual([
      { field: 'days.2', messages: ['Overlapping windows on Mon: 10:00–11:00 conflicts with 10:30–12:00'] },
      { field: 'days.3', messages: ['Overlapping windows on Tue: 08:00–09:00 conflicts with 08:30–10:00'] },
    ]);
  });

  it('checks 1,000 windows fast: 143 a day back to back, and all 1,000 at one time (one clash each, not every pair)', () => {
    const apart = Array.from({ length: 1000 }, (_, i) => {
      const minute = Math.floor(i / 7) * 10;
      const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      return w(i % 7, hhmm(minute), hhmm(minute + 10));
    });
    const same = Array.from({ length: 1000 }, () => w(TUE, '08:00', '09:00'));
    const began = performance.now();
    expect(windowOverlaps(apart)).toEqual([]);
    const clashes = windowOverlaps(same);
    const took = performance.now() - began;
    expect(clashes).toHaveLength(999);
    expect(clashes[998]).toEqual({ field: 'windows[999]', messages: ['Overlapping windows on Tue: 08:00–09:00 conflicts with 08:00–09:00'] });
    expect(took).toBeLessThan(200); // ~5 ms here; reporting every pair would be 499,500 messages
  });
});

describe('a new or changed window against the stored ones', () => {
  const stored = [w(MON, '22:00', '06:00'), w(TUE, '08:00', '12:00'), w(TUE, '09:00', '10:00'), w(SUN, '20:00', '02:00')];
  it.each<[string, WindowTimes, string[]]>([
    ['clear', w(TUE, '12:00', '14:00'), []],
    ['touching on both sides', w(TUE, '06:00', '08:00'), []],
    ['later start: the stored one named first', w(TUE, '10:00', '14:00'), ['Overlapping windows on Tue: 08:00–12:00 conflicts with 10:00–14:00']],
    ['earlier start: the new one named first', w(TUE, '07:00', '08:30'), ['Overlapping windows on Tue: 07:00–08:30 conflicts with 08:00–12:00']],
    ['the same start: the stored one named first', w(TUE, '08:00', '08:30'), ['Overlapping windows on Tue: 08:00–12:00 conflicts with 08:00–08:30']],
    ['onto an overnight tail', w(TUE, '05:00', '08:00'), ['Overlapping windows on Tue: Mon 22:00–06:00 conflicts with 05:00–08:00']],
    ['its own tail onto a stored window', w(MON, '23:00', '08:30'), [
      'Overlapping windows on Mon: 22:00–06:00 conflicts with 23:00–08:30',
      'Overlapping windows on Tue: Mon 22:00–06:00 conflicts with Mon 23:00–08:30',
    ]],
    ['Sunday\'s tail onto Monday', w(MON, '01:00', '02:00'), ['Overlapping windows on Mon: Sun 20:00–02:00 conflicts with 01:00–02:00']],
    ['whole day: names the earliest it overlaps', w(TUE, '00:00', '00:00'), ['Overlapping windows on Tue: Mon 22:00–06:00 conflicts with 00:00–00:00 (whole day)']],
  ])('%s', (_, window, expected) => {
    expect(windowOverlapsWith(window, stored, '(body)')).toEqual(expected.length ? [{ field: '(body)', messages: expected }] : []);
  });

  it('ignores overlaps among the stored windows themselves', () => {
    expect(windowOverlapsWith(w(WED, '08:00', '09:00'), [w(WED, '10:00', '12:00'), w(WED, '11:00', '13:00')], '(body)')).toEqual([]);
  });
});
