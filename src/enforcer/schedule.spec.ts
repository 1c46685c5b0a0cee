import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  activeProfiles, activeSources, desiredPairs, nextBoundary, type ScheduleInput, type SchedulePolicyInput, type ScheduleSource, wallTime,
} from './schedule.js';

const BAGHDAD = 'Asia/Baghdad';
const NEW_YORK = 'America/New_York';
const BERLIN = 'Europe/Berlin';

/** A local wall-clock time in a zone → the instant (for unambiguous times). */
const local = (iso: string, zone = BAGHDAD) => DateTime.fromISO(iso, { zone }).toJSDate();
/** An exact instant given with its offset, for the ambiguous hour of a fall-back day. */
const instant = (iso: string) => new Date(iso);

let windowIds = 100;
const win = (dayOfWeek: number, startTime: string, endTime: string, profileId: number, id = ++windowIds) => ({ id, dayOfWeek, startTime, endTime, profileId });
const policy = (over: Partial<SchedulePolicyInput> = {}): SchedulePolicyInput => ({
  id: 1, isEnabled: true, cameraIds: [10], windows: [], exceptions: [], ...over,
});
const input = (policies: SchedulePolicyInput[], over: Partial<ScheduleInput> = {}): ScheduleInput => ({
  cameras: [{ id: 10, isActive: true, pauseUntil: null }, { id: 11, isActive: true, pauseUntil: null }],
  profiles: [1, 2, 3, 4, 5, 6, 7].map((id) => ({ id, isActive: true })),
  policies,
  ...over,
});
const profilesAt = (data: ScheduleInput, at: Date, zone = BAGHDAD) =>
  desiredPairs(data, at, zone).filter((p) => p.cameraId === 10).map((p) => p.profileId);

// Monday 08:00–16:00 (p1), Tuesday whole day (p2), Friday 22:00–06:00 overnight (p3),
// Sunday 23:00–01:00 wrapping into Monday (p4); window ids 1–4.
const WEEK = policy({
  windows: [win(0, '08:00:00', '16:00:00', 1, 1), win(1, '10:00:00', '10:00:00', 2, 2), win(4, '22:00:00', '06:00:00', 3, 3), win(6, '23:00:00', '01:00:00', 4, 4)],
});

describe('weekly windows (Asia/Baghdad)', () => {
  it.each([
    ['Mon 07:59:59 before a same-day window', '2026-11-30T07:59:59', []],
    ['Mon 08:00 start is inside', '2026-11-30T08:00:00', [1]],
    ['Mon 15:59:59 still inside', '2026-11-30T15:59:59', [1]],
    ['Mon 16:00 end is outside', '2026-11-30T16:00:00', []],
    ['Tue 00:00 whole-day window', '2026-12-01T00:00:00', [2]],
    ['Tue 23:59:59 whole-day window', '2026-12-01T23:59:59', [2]],
    ['Wed 00:00 after the whole day', '2026-12-02T00:00:00', []],
    ['Fri 21:59:59 before overnight', '2026-12-04T21:59:59', []],
    ['Fri 22:00 overnight opens', '2026-12-04T22:00:00', [3]],
    ['Sat 00:00 overnight continues past midnight', '2026-12-05T00:00:00', [3]],
    ['Sat 05:59:59 overnight tail', '2026-12-05T05:59:59', [3]],
    ['Sat 06:00 overnight closed', '2026-12-05T06:00:00', []],
    ['Sun 23:30 Sunday overnight', '2026-12-06T23:30:00', [4]],
    ['Mon 00:30 Sunday wraps to Monday', '2026-12-07T00:30:00', [4]],
    ['Mon 01:00 wrap closed', '2026-12-07T01:00:00', []],
  ])('%s', (_label, at, expected) => {
    expect(profilesAt(input([WEEK]), local(at))).toEqual(expected);
  });
});

describe('exceptions replace the policy’s schedule for one local date', () => {
  const withExceptions = policy({
    ...WEEK,
    exceptions: [
      { id: 1, date: '2026-12-05', mode: 'off', startTime: null, endTime: null, profileId: null },
      { id: 2, date: '2026-12-07', mode: 'on', startTime: null, endTime: null, profileId: 5 },
      { id: 3, date: '2026-12-08', mode: 'window', startTime: '09:00:00', endTime: '11:00:00', profileId: 6 },
      { id: 4, date: '2026-12-11', mode: 'off', startTime: null, endTime: null, profileId: null },
    ],
  });
  it.each([
    ['off drops the tail of the previous night', '2026-12-05T05:00:00', []],
    ['the night before an off date still runs', '2026-12-04T23:00:00', [3]],
    ['on replaces the Sunday wrap tail', '2026-12-07T00:30:00', [5]],
    ['on replaces the day’s window', '2026-12-07T12:00:00', [5]],
    ['on runs to the end of the date', '2026-12-07T23:59:59', [5]],
    ['window replaces a whole-day window: before', '2026-12-08T08:59:59', []],
    ['window start is inside', '2026-12-08T09:00:00', [6]],
    ['window end is outside', '2026-12-08T11:00:00', []],
    ['off on a Friday silences Friday night', '2026-12-11T23:00:00', []],
    ['but the minutes of Saturday keep Friday’s tail', '2026-12-12T03:00:00', [3]],
    ['other weeks are untouched', '2026-12-14T12:00:00', [1]],
  ])('%s', (_label, at, expected) => {
    expect(profilesAt(input([withExceptions]), local(at))).toEqual(expected);
  });
});

describe('active sources: which window or exception wants each profile', () => {
  const named = (sources: ScheduleSource[]) =>
    sources.map((s) => (s.window ? `p${s.profileId} policy ${s.policyId} window #${s.window.id}` : `p${s.profileId} policy ${s.policyId} exception #${s.exception.id} (${s.exception.mode})`));
  const withExceptions = policy({
    ...WEEK,
    id: 7,
    exceptions: [
      { id: 1, date: '2026-12-05', mode: 'off', startTime: null, endTime: null, profileId: null },
      { id: 2, date: '2026-12-07', mode: 'on', startTime: null, endTime: null, profileId: 5 },
      { id: 3, date: '2026-12-08', mode: 'window', startTime: '09:00:00', endTime: '11:00:00', profileId: 6 },
    ],
  });
  // An old database may hold overlapping windows of one policy: both are named.
  const overlapping = policy({ id: 8, windows: [win(0, '10:00:00', '14:00:00', 1, 22), win(0, '08:00:00', '12:00:00', 1, 21), win(0, '09:00:00', '10:00:00', 2, 23)] });

  it.each([
    ['a same-day window', WEEK, '2026-11-30T09:00:00', ['p1 policy 1 window #1']],
    ['a whole-day window', WEEK, '2026-12-01T23:59:59', ['p2 policy 1 window #2']],
    ['an overnight window on its own day', WEEK, '2026-12-04T23:00:00', ['p3 policy 1 window #3']],
    ['an overnight tail: the previous day’s window', WEEK, '2026-12-05T05:59:59', ['p3 policy 1 window #3']],
    ['Sunday’s overnight window in Monday’s first hour', WEEK, '2026-11-30T00:30:00', ['p4 policy 1 window #4']],
    ['nothing between windows', WEEK, '2026-11-30T16:00:00', []],
    ['an on exception, not the day’s window', withExceptions, '2026-12-07T12:00:00', ['p5 policy 7 exception #2 (on)']],
    ['an on exception replaces the Sunday tail too', withExceptions, '2026-12-07T00:30:00', ['p5 policy 7 exception #2 (on)']],
    ['inside a window exception', withExceptions, '2026-12-08T09:00:00', ['p6 policy 7 exception #3 (window)']],
    ['outside a window exception: nothing, not the whole-day window', withExceptions, '2026-12-08T12:00:00', []],
    ['an off exception drops the overnight tail', withExceptions, '2026-12-05T05:00:00', []],
    ['overlapping windows of one policy, by window id', overlapping, '2026-11-30T11:00:00', ['p1 policy 8 window #21', 'p1 policy 8 window #22']],
    ['two profiles of one policy at once', overlapping, '2026-11-30T09:30:00', ['p1 policy 8 window #21', 'p2 policy 8 window #23']],
  ])('%s', (_label, p, at, expected) => {
    const wall = wallTime(local(at), BAGHDAD);
    const sources = activeSources(p, wall);
    expect(named(sources)).toEqual(expected);
    // activeProfiles is the same evaluation: exactly the sources' profiles.
    expect([...activeProfiles(p, wall)].sort()).toEqual([...new Set(sources.map((s) => s.profileId))].sort());
  });

  it('gives the input’s own rows, not copies', () => {
    const [source] = activeSources(WEEK, wallTime(local('2026-12-05T03:00:00'), BAGHDAD));
    expect(source.window).toBe(WEEK.windows[2]);
  });
});

describe('flags, pauses and several policies', () => {
  const always = (id: number, profileId: number, cameraIds = [10]) =>
    policy({ id, cameraIds, windows: [0, 1, 2, 3, 4, 5, 6].map((d) => win(d, '00:00:00', '00:00:00', profileId)) });
  const at = local('2026-11-30T12:00:00');

  it('unions policies and lists which want each pair', () => {
    expect(desiredPairs(input([always(2, 1, [10, 11]), always(1, 1), always(3, 2)]), at, BAGHDAD)).toEqual([
      { cameraId: 10, profileId: 1, policyIds: [1, 2] },
      { cameraId: 10, profileId: 2, policyIds: [3] },
      { cameraId: 11, profileId: 1, policyIds: [2] },
    ]);
  });

  it.each([
    ['an inactive camera', { cameras: [{ id: 10, isActive: false, pauseUntil: null }] }, [always(1, 1)], []],
    ['an inactive profile', { profiles: [{ id: 1, isActive: false }] }, [always(1, 1)], []],
    ['a disabled policy', {}, [{ ...always(1, 1), isEnabled: false }], []],
    ['a camera paused until later', { cameras: [{ id: 10, isActive: true, pauseUntil: local('2026-11-30T12:00:01') }] }, [always(1, 1)], []],
    ['a pause that ends exactly now', { cameras: [{ id: 10, isActive: true, pauseUntil: at }] }, [always(1, 1)], [1]],
    ['a pause that has passed', { cameras: [{ id: 10, isActive: true, pauseUntil: local('2026-11-30T11:00:00') }] }, [always(1, 1)], [1]],
    ['a policy naming a camera that is gone', { cameras: [] }, [always(1, 1)], []],
  ])('nothing (or the pair) for %s', (_label, over, policies, expected) => {
    expect(profilesAt(input(policies, over as Partial<ScheduleInput>), at)).toEqual(expected);
  });
});

describe('daylight-saving days are evaluated on wall-clock time', () => {
  // New York: 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST (both Sundays).
  // Berlin: 2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET.
  const spring = policy({ windows: [win(6, '02:30:00', '03:30:00', 1)] });
  const fallNy = policy({ windows: [win(6, '01:00:00', '01:30:00', 1)] });
  const fallBerlin = policy({ windows: [win(6, '02:00:00', '02:30:00', 1)] });

  it.each([
    ['NY: 01:59:59 EST, before the gap', NEW_YORK, spring, instant('2026-03-08T06:59:59Z'), []],
    ['NY: 03:00 EDT, wall time already past 02:30', NEW_YORK, spring, instant('2026-03-08T07:00:00Z'), [1]],
    ['NY: 03:30 EDT closes', NEW_YORK, spring, instant('2026-03-08T07:30:00Z'), []],
    ['NY: 01:15 EDT, first pass of the repeated hour', NEW_YORK, fallNy, instant('2026-11-01T05:15:00Z'), [1]],
    ['NY: 01:45 EDT, first pass, after the window', NEW_YORK, fallNy, instant('2026-11-01T05:45:00Z'), []],
    ['NY: 01:15 EST, second pass is inside again', NEW_YORK, fallNy, instant('2026-11-01T06:15:00Z'), [1]],
    ['NY: 01:30 EST closes for good', NEW_YORK, fallNy, instant('2026-11-01T06:30:00Z'), []],
    ['Berlin: 03:00 CEST after the spring gap', BERLIN, policy({ windows: [win(6, '02:15:00', '04:00:00', 1)] }), instant('2026-03-29T01:00:00Z'), [1]],
    ['Berlin: 02:10 CEST, first pass', BERLIN, fallBerlin, instant('2026-10-25T00:10:00Z'), [1]],
    ['Berlin: 02:40 CEST, first pass after', BERLIN, fallBerlin, instant('2026-10-25T00:40:00Z'), []],
    ['Berlin: 02:10 CET, second pass', BERLIN, fallBerlin, instant('2026-10-25T01:10:00Z'), [1]],
    ['Baghdad has no DST: the same window on the same day', BAGHDAD, spring, local('2026-03-08T02:45:00'), [1]],
  ])('%s', (_label, zone, p, at, expected) => {
    expect(profilesAt(input([p]), at, zone)).toEqual(expected);
  });

  it('reads wall time in the zone', () => {
    expect(wallTime(instant('2026-11-01T06:15:00Z'), NEW_YORK)).toEqual({ date: '2026-11-01', weekday: 6, seconds: 4500 });
  });
});

describe('next boundary', () => {
  it.each([
    ['a same-day window opening', '2026-11-30T07:00:00', '2026-11-30T08:00:00'],
    ['strictly after now: at the start, the end is next', '2026-11-30T08:00:00', '2026-11-30T16:00:00'],
    ['a same-day window closing', '2026-11-30T09:00:00', '2026-11-30T16:00:00'],
    ['a whole-day window opening at midnight', '2026-11-30T20:00:00', '2026-12-01T00:00:00'],
    ['a whole-day window closing at the next midnight', '2026-12-01T12:00:00', '2026-12-02T00:00:00'],
    ['an overnight window opening', '2026-12-04T21:00:00', '2026-12-04T22:00:00'],
    ['an overnight window closing the next morning', '2026-12-04T23:00:00', '2026-12-05T06:00:00'],
    ['Sunday’s overnight window closing on Monday', '2026-12-06T23:30:00', '2026-12-07T01:00:00'],
    ['the next week when nothing is left this week', '2026-12-07T01:00:00', '2026-12-07T08:00:00'],
  ])('%s', (_label, from, expected) => {
    expect(nextBoundary(input([WEEK]), local(from), BAGHDAD)).toEqual(local(expected));
  });

  it('includes midnight of an exception date and its window', () => {
    const p = policy({ ...WEEK, exceptions: [{ id: 1, date: '2026-12-05', mode: 'off', startTime: null, endTime: null, profileId: null }] });
    expect(nextBoundary(input([p]), local('2026-12-04T23:00:00'), BAGHDAD)).toEqual(local('2026-12-05T00:00:00'));
    const w = policy({ exceptions: [{ id: 1, date: '2026-12-08', mode: 'window', startTime: '09:00:00', endTime: '11:00:00', profileId: 6 }] });
    expect(nextBoundary(input([w]), local('2026-12-08T00:00:00'), BAGHDAD)).toEqual(local('2026-12-08T09:00:00'));
    expect(nextBoundary(input([w]), local('2026-12-08T09:00:00'), BAGHDAD)).toEqual(local('2026-12-08T11:00:00'));
    expect(nextBoundary(input([w]), local('2026-12-08T11:00:00'), BAGHDAD)).toEqual(local('2026-12-09T00:00:00'));
  });

  it('includes a pause expiring before any window', () => {
    const data = input([WEEK], { cameras: [{ id: 10, isActive: true, pauseUntil: local('2026-11-30T07:30:00') }] });
    expect(nextBoundary(data, local('2026-11-30T07:00:00'), BAGHDAD)).toEqual(local('2026-11-30T07:30:00'));
  });

  it('is null when no enabled policy has a camera and no pause is pending', () => {
    expect(nextBoundary(input([{ ...WEEK, isEnabled: false }]), local('2026-11-30T07:00:00'), BAGHDAD)).toBeNull();
    expect(nextBoundary(input([{ ...WEEK, cameraIds: [] }]), local('2026-11-30T07:00:00'), BAGHDAD)).toBeNull();
  });

  it.each([
    ['NY spring: a start inside the gap wakes at the jump (03:00 EDT)', NEW_YORK, policy({ windows: [win(6, '02:30:00', '03:30:00', 1)] }), '2026-03-08T06:00:00Z', '2026-03-08T07:00:00Z'],
    ['NY spring: then the end at 03:30 EDT', NEW_YORK, policy({ windows: [win(6, '02:30:00', '03:30:00', 1)] }), '2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z'],
    ['NY fall: first-pass end at 01:30 EDT', NEW_YORK, policy({ windows: [win(6, '01:00:00', '01:30:00', 1)] }), '2026-11-01T05:10:00Z', '2026-11-01T05:30:00Z'],
    ['NY fall: the repeat starts at the jump back (01:00 EST)', NEW_YORK, policy({ windows: [win(6, '01:00:00', '01:30:00', 1)] }), '2026-11-01T05:30:00Z', '2026-11-01T06:00:00Z'],
    ['NY fall: second-pass end at 01:30 EST', NEW_YORK, policy({ windows: [win(6, '01:00:00', '01:30:00', 1)] }), '2026-11-01T06:00:00Z', '2026-11-01T06:30:00Z'],
    ['Berlin fall: second-pass end at 02:30 CET', BERLIN, policy({ windows: [win(6, '02:00:00', '02:30:00', 1)] }), '2026-10-25T01:00:00Z', '2026-10-25T01:30:00Z'],
    ['Baghdad: plain arithmetic', BAGHDAD, policy({ windows: [win(6, '02:30:00', '03:30:00', 1)] }), '2026-03-07T23:00:00Z', '2026-03-07T23:30:00Z'],
  ])('%s', (_label, zone, p, from, expected) => {
    expect(nextBoundary(input([p]), instant(from), zone)).toEqual(instant(expected));
  });

  it('agrees with evaluation: the set never changes between now and the boundary', () => {
    const data = input([WEEK]);
    let at = local('2026-11-30T00:00:00');
    for (let i = 0; i < 12; i++) {
      const boundary = nextBoundary(data, at, BAGHDAD)!;
      const before = profilesAt(data, new Date(boundary.getTime() - 1000));
      expect(profilesAt(data, at)).toEqual(before);
      at = boundary;
    }
  });
});
