import { describe, expect, it } from 'vitest';
import { duplicateDates, type ExceptionInput, exceptionProblems, normalizeException } from './schedule.rules.js';

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
