import { DateTime } from 'luxon';
import type { ExceptionMode } from '../common/domain.js';

/**
 * Schedule evaluation (§3), pure: the data, the instant and the zone come in as arguments;
 * no clock, no I/O. Everything is decided on local wall-clock time in `zone`, so a minute
 * that does not exist (spring forward) is simply never seen, and a repeated hour (fall back)
 * is inside a window on both passes.
 */

export interface ScheduleWindowInput {
  id: number;
  dayOfWeek: number; // 0 = Monday … 6 = Sunday
  startTime: string; // "HH:MM:SS"
  endTime: string;
  profileId: number;
}

export interface ScheduleExceptionInput {
  id: number;
  date: string; // local "YYYY-MM-DD"
  mode: ExceptionMode;
  startTime: string | null;
  endTime: string | null;
  profileId: number | null;
}

export interface SchedulePolicyInput {
  id: number;
  isEnabled: boolean;
  cameraIds: number[];
  windows: ScheduleWindowInput[];
  exceptions: ScheduleExceptionInput[];
}

export interface ScheduleCameraInput {
  id: number;
  isActive: boolean;
  pauseUntil: Date | null;
}

export interface ScheduleProfileInput {
  id: number;
  isActive: boolean;
}

export interface ScheduleInput {
  cameras: ScheduleCameraInput[];
  profiles: ScheduleProfileInput[];
  policies: SchedulePolicyInput[];
}

export interface DesiredPair {
  cameraId: number;
  profileId: number;
  /** The enabled policies that want this pair now (sorted). */
  policyIds: number[];
}

/** A local wall-clock reading: the calendar date, Monday-based weekday and seconds since midnight. */
export interface WallTime {
  date: string;
  weekday: number;
  seconds: number;
}

const DAY = 86_400;

/** Parsed "HH:MM[:SS]" values: a fleet shares a handful of distinct times, read on every tick. */
const parsedTimes = new Map<string, number>();

export function secondsOfDay(time: string): number {
  let seconds = parsedTimes.get(time);
  if (seconds === undefined) {
    const [h, m, s = '0'] = time.split(':');
    seconds = Number(h) * 3600 + Number(m) * 60 + Number(s);
    if (parsedTimes.size < 100_000) parsedTimes.set(time, seconds);
  }
  return seconds;
}

export function wallTime(at: Date, zone: string): WallTime {
  const local = DateTime.fromJSDate(at, { zone });
  return {
    date: local.toISODate()!,
    weekday: local.weekday - 1,
    seconds: local.hour * 3600 + local.minute * 60 + local.second,
  };
}

/**
 * What makes a policy want a profile at one instant: one of its weekly windows (for the
 * after-midnight tail of an overnight window, the previous day's window) or the exception of
 * the date. The rows are the input's own objects, not copies.
 */
export type ScheduleSource =
  | { policyId: number; profileId: number; window: ScheduleWindowInput; exception?: undefined }
  | { policyId: number; profileId: number; exception: ScheduleExceptionInput; window?: undefined };

/**
 * The schedule rules, once: calls `visit` for every window or exception of `policy` active at
 * one wall-clock reading. An exception on the date replaces everything for that date,
 * including the tail of the previous night's overnight windows; otherwise windows of the day
 * apply, plus the after-midnight part of the previous day's overnight windows (Sunday's run
 * into Monday). activeProfiles and activeSources both read it; a visitor, so the tick's
 * activeProfiles allocates nothing per window.
 */
function visitActive(policy: SchedulePolicyInput, at: WallTime, visit: (profileId: number, window: ScheduleWindowInput | null, exception: ScheduleExceptionInput | null) => void): void {
  const exception = policy.exceptions.find((e) => e.date === at.date);
  if (exception) {
    if (exception.mode === 'on' && exception.profileId !== null) visit(exception.profileId, null, exception);
    if (exception.mode === 'window' && exception.profileId !== null && exception.startTime && exception.endTime) {
      if (at.seconds >= secondsOfDay(exception.startTime) && at.seconds < secondsOfDay(exception.endTime)) {
        visit(exception.profileId, null, exception);
      }
    }
    return;
  }
  const yesterday = (at.weekday + 6) % 7;
  for (const window of policy.windows) {
    const start = secondsOfDay(window.startTime);
    const end = secondsOfDay(window.endTime);
    if (window.dayOfWeek === at.weekday) {
      if (start === end) visit(window.profileId, window, null);
      else if (start < end ? at.seconds >= start && at.seconds < end : at.seconds >= start) visit(window.profileId, window, null);
    }
    if (window.dayOfWeek === yesterday && start > end && at.seconds < end) visit(window.profileId, window, null);
  }
}

/** The profiles a policy's schedule wants at one wall-clock reading (see visitActive). */
export function activeProfiles(policy: SchedulePolicyInput, at: WallTime): Set<number> {
  const active = new Set<number>();
  visitActive(policy, at, (profileId) => active.add(profileId));
  return active;
}

/**
 * The windows and exception of a policy active at one wall-clock reading, each with the profile
 * it wants — the same evaluation as activeProfiles, with where each profile comes from. Sorted:
 * an exception, or windows by id.
 */
export function activeSources(policy: SchedulePolicyInput, at: WallTime): ScheduleSource[] {
  const sources: ScheduleSource[] = [];
  visitActive(policy, at, (profileId, window, exception) => {
    sources.push(window ? { policyId: policy.id, profileId, window } : { policyId: policy.id, profileId, exception: exception! });
  });
  return sources.length > 1 ? sources.sort(compareSources) : sources;
}

/** Sources in a stable order: by policy, an exception before windows, then by row id. */
export function compareSources(a: ScheduleSource, b: ScheduleSource): number {
  return a.policyId - b.policyId || (a.window ? 1 : 0) - (b.window ? 1 : 0) || (a.window ?? a.exception).id - (b.window ?? b.exception).id;
}

/** Whether a camera is paused at `at` (a pauseUntil at or before `at` has expired). */
export const isPaused = (camera: ScheduleCameraInput, at: Date) =>
  camera.pauseUntil !== null && camera.pauseUntil.getTime() > at.getTime();

/**
 * The (camera, profile) pairs wanted at `at`: camera active and not paused, profile active,
 * policy enabled and its schedule active for that profile; several policies give the union.
 * Sorted by camera, then profile.
 */
export function desiredPairs(input: ScheduleInput, at: Date, zone: string): DesiredPair[] {
  const wall = wallTime(at, zone);
  const cameras = new Map(input.cameras.map((c) => [c.id, c]));
  const activeProfileIds = new Set(input.profiles.filter((p) => p.isActive).map((p) => p.id));
  const pairs = new Map<string, DesiredPair>();
  for (const policy of input.policies) {
    if (!policy.isEnabled) continue;
    const profiles = [...activeProfiles(policy, wall)].filter((id) => activeProfileIds.has(id));
    if (profiles.length === 0) continue;
    for (const cameraId of policy.cameraIds) {
      const camera = cameras.get(cameraId);
      if (!camera || !camera.isActive || isPaused(camera, at)) continue;
      for (const profileId of profiles) {
        const key = `${cameraId}:${profileId}`;
        const pair = pairs.get(key) ?? { cameraId, profileId, policyIds: [] };
        pair.policyIds.push(policy.id);
        pairs.set(key, pair);
      }
    }
  }
  return [...pairs.values()]
    .map((pair) => ({ ...pair, policyIds: [...new Set(pair.policyIds)].sort((a, b) => a - b) }))
    .sort((a, b) => a.cameraId - b.cameraId || a.profileId - b.profileId);
}

/**
 * Every instant at which local wall time in `zone` reads `seconds` on `date`: none when the
 * time falls in a spring-forward gap, two during a fall-back repeat.
 */
function instantsOfWallTime(date: DateTime, seconds: number, zone: string): number[] {
  const wall = {
    year: date.year, month: date.month, day: date.day,
    hour: Math.floor(seconds / 3600), minute: Math.floor((seconds % 3600) / 60), second: seconds % 60,
  };
  const resolved = DateTime.fromObject(wall, { zone });
  const shift = Math.abs(resolved.plus({ hours: 12 }).offset - resolved.minus({ hours: 12 }).offset);
  const found = new Set<number>();
  for (const candidate of [resolved, resolved.minus({ minutes: shift }), resolved.plus({ minutes: shift })]) {
    const local = candidate.setZone(zone);
    if (local.hour === wall.hour && local.minute === wall.minute && local.second === wall.second && local.day === wall.day) {
      found.add(candidate.toMillis());
    }
  }
  return [...found];
}

/** Instants where the zone's UTC offset changes in (from, to]: wall time jumps there. */
function offsetChanges(from: number, to: number, zone: string): number[] {
  const offset = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const changes: number[] = [];
  const step = 6 * 3600_000;
  for (let a = from; a < to; a += step) {
    // Zone rules change on whole seconds: search in seconds so the instant is exact.
    let lo = Math.floor(a / 1000);
    let hi = Math.ceil(Math.min(a + step, to) / 1000);
    const before = offset(lo * 1000);
    if (before === offset(hi * 1000)) continue;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(mid * 1000) === before) lo = mid;
      else hi = mid;
    }
    changes.push(hi * 1000);
  }
  return changes;
}

/**
 * The next instant after `at` at which the desired set can change: a window or exception
 * window opening or closing, a local midnight where a date with an exception (or a whole-day
 * window) begins or ends, a pause expiring, or a daylight-saving jump. Looks 8 local days
 * ahead; null when nothing in the schedule can ever change the set. A candidate where nothing
 * actually changes only costs an idle tick.
 */
export function nextBoundary(input: ScheduleInput, at: Date, zone: string): Date | null {
  const now = at.getTime();
  let best = Infinity;
  const consider = (ms: number) => {
    if (ms > now && ms < best) best = ms;
  };
  for (const camera of input.cameras) if (camera.pauseUntil) consider(camera.pauseUntil.getTime());

  const enabled = input.policies.filter((p) => p.isEnabled && p.cameraIds.length > 0);
  if (enabled.length === 0) return Number.isFinite(best) ? new Date(best) : null;

  const { timesByWeekday, exceptionTimes } = boundaryWallTimes(enabled, zone);
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  for (let offset = 0; offset <= 8; offset++) {
    const date = today.plus({ days: offset });
    if (date.toMillis() > best) break;
    const times = new Set([...timesByWeekday[date.weekday - 1], ...(exceptionTimes.get(date.toISODate()!) ?? [])]);
    for (const seconds of times) for (const ms of instantsOfWallTime(date, seconds, zone)) consider(ms);
  }
  for (const ms of offsetChanges(now, Math.min(best, now + 9 * DAY * 1000), zone)) consider(ms);
  return Number.isFinite(best) ? new Date(best) : null;
}

/** The wall times at which policies' schedules can change: per weekday, and per date with an exception (and the date after it). */
function boundaryWallTimes(policies: SchedulePolicyInput[], zone: string) {
  const timesByWeekday = Array.from({ length: 7 }, () => new Set<number>());
  const exceptionTimes = new Map<string, Set<number>>();
  for (const policy of policies) {
    for (const w of policy.windows) {
      const start = secondsOfDay(w.startTime);
      const end = secondsOfDay(w.endTime);
      if (start === end) {
        timesByWeekday[w.dayOfWeek].add(0);
        timesByWeekday[(w.dayOfWeek + 1) % 7].add(0);
      } else {
        timesByWeekday[w.dayOfWeek].add(start);
        timesByWeekday[start < end ? w.dayOfWeek : (w.dayOfWeek + 1) % 7].add(end);
      }
    }
    for (const e of policy.exceptions) {
      const times = exceptionTimes.get(e.date) ?? new Set<number>([0]);
      if (e.mode === 'window' && e.startTime && e.endTime) {
        times.add(secondsOfDay(e.startTime));
        times.add(secondsOfDay(e.endTime));
      }
      exceptionTimes.set(e.date, times);
      const next = DateTime.fromISO(e.date, { zone }).plus({ days: 1 }).toISODate()!;
      exceptionTimes.set(next, (exceptionTimes.get(next) ?? new Set<number>()).add(0));
    }
  }
  return { timesByWeekday, exceptionTimes };
}

/**
 * Every instant in (fromMs, toMs) at which one policy's own schedule can change (the same wall
 * times nextBoundary considers, for that policy alone). Daylight-saving jumps are not included:
 * see zoneOffsetChanges.
 */
export function policyBoundaries(policy: SchedulePolicyInput, fromMs: number, toMs: number, zone: string, cache: BoundaryCache = new BoundaryCache()): number[] {
  const { timesByWeekday, exceptionTimes } = boundaryWallTimes([policy], zone);
  const found: number[] = [];
  for (const date of cache.days(fromMs, toMs, zone)) {
    const exceptional = exceptionTimes.get(date.iso);
    const times = exceptional ? new Set([...timesByWeekday[date.weekday], ...exceptional]) : timesByWeekday[date.weekday];
    for (const seconds of times) for (const ms of cache.instants(date, seconds, zone)) if (ms > fromMs && ms < toMs) found.push(ms);
  }
  return found.sort((a, b) => a - b);
}

interface LocalDay {
  day: DateTime;
  iso: string;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

/**
 * What policyBoundaries computes once per forecast rather than once per policy: the local days
 * of the range, and the instants of each (day, wall time) — a fleet shares a handful of times.
 */
export class BoundaryCache {
  private range: { key: string; days: LocalDay[] } | null = null;
  private readonly resolved = new Map<string, number[]>();

  days(fromMs: number, toMs: number, zone: string): LocalDay[] {
    const key = `${fromMs}:${toMs}:${zone}`;
    if (this.range?.key !== key) {
      const days: LocalDay[] = [];
      for (let day = DateTime.fromMillis(fromMs, { zone }).startOf('day'); day.toMillis() < toMs; day = day.plus({ days: 1 })) {
        days.push({ day, iso: day.toISODate()!, weekday: day.weekday - 1 });
      }
      this.range = { key, days };
    }
    return this.range.days;
  }

  instants(date: LocalDay, seconds: number, zone: string): number[] {
    const key = `${date.iso}:${seconds}`;
    let found = this.resolved.get(key);
    if (found === undefined) {
      found = instantsOfWallTime(date.day, seconds, zone);
      this.resolved.set(key, found);
    }
    return found;
  }
}

/** Instants in (fromMs, toMs] where the zone's UTC offset changes (wall time jumps there). */
export const zoneOffsetChanges = (fromMs: number, toMs: number, zone: string): number[] => offsetChanges(fromMs, toMs, zone);
