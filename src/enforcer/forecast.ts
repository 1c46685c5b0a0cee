import {
  activeSources, BoundaryCache, compareSources, isPaused, policyBoundaries, type ScheduleInput, type ScheduleSource, wallTime, zoneOffsetChanges,
} from './schedule.js';

/**
 * What the enforcer will run and when (the forecast), pure: the same schedule evaluation the
 * plan uses (activeSources — activeProfiles with where each profile comes from — and isPaused,
 * which desiredPairs combines), read at every instant
 * where the wanted set can change between `from` and `to` — each policy at its own boundaries
 * (the wall times nextBoundary considers), all of them at a daylight-saving jump, the pairs at a
 * pause's end. Between two such instants the set is constant, so the intervals are exact —
 * pauses, exceptions, overnight tails, daylight-saving days and the union of policies included —
 * and never a second implementation of the schedule rules. A property test holds it equal to
 * desiredPairs at random instants.
 */
export interface ForecastInterval {
  cameraId: number;
  profileId: number;
  start: Date;
  end: Date;
  /** The enabled policies that want the pair during the interval (sorted). */
  policyIds: number[];
  /**
   * The windows and exceptions that want the pair during the whole interval (compareSources
   * order). An interval ends where this set changes, so one interval reads as one sentence
   * ("Tue 08:00–12:00, window #14 of policy 3"); the runner itself is not restarted there —
   * intervals of a pair that meet (end = next start) are one continuous run.
   */
  sources: ScheduleSource[];
}

/** A camera paused (pause until) during [start, end): nothing runs for it there. */
export interface ForecastPause {
  cameraId: number;
  start: Date;
  end: Date;
}

export interface ForecastOptions {
  /** Only these cameras (all when absent). */
  cameraIds?: Iterable<number>;
  /** Only pairs one of these policies wants (all when absent). */
  policyIds?: Iterable<number>;
}

/** Guard against a schedule that changes every second for days: more boundaries than this is refused. */
export const MAX_FORECAST_STEPS = 100_000;

export function forecast(input: ScheduleInput, from: Date, to: Date, zone: string, options: ForecastOptions = {}): ForecastInterval[] {
  const cameraFilter = options.cameraIds ? new Set(options.cameraIds) : null;
  const policyFilter = options.policyIds ? new Set(options.policyIds) : null;
  const fromMs = from.getTime();
  const end = to.getTime();
  const cameras = new Map(input.cameras.filter((c) => !cameraFilter || cameraFilter.has(c.id)).map((c) => [c.id, c]));
  const activeProfiles = new Set(input.profiles.filter((p) => p.isActive).map((p) => p.id));
  // Only enabled policies with a camera in scope can want anything; the policy filter narrows
  // what is reported, not what is evaluated (a pair's policyIds are the wanting policies among them).
  const policies = input.policies.filter((p) => p.isEnabled && (!policyFilter || policyFilter.has(p.id)) && p.cameraIds.some((id) => cameras.has(id)));

  // When each policy has to be looked at again: its own boundaries; every policy at a
  // daylight-saving jump; nothing but the pairs at a pause's end.
  const events = new Map<number, Set<number> | 'all'>();
  const mark = (ms: number, index: number | 'all') => {
    const current = events.get(ms);
    if (current === 'all') return;
    if (index === 'all') events.set(ms, 'all');
    else events.set(ms, (current ?? new Set<number>()).add(index));
  };
  const cache = new BoundaryCache();
  policies.forEach((policy, index) => {
    for (const ms of policyBoundaries(policy, fromMs, end, zone, cache)) mark(ms, index);
  });
  for (const ms of zoneOffsetChanges(fromMs, end, zone)) if (ms < end) mark(ms, 'all');
  for (const camera of cameras.values()) {
    const until = camera.pauseUntil?.getTime();
    if (until !== undefined && until > fromMs && until < end) events.set(until, events.get(until) ?? new Set<number>());
  }
  mark(fromMs, 'all');
  if (events.size > MAX_FORECAST_STEPS) throw new Error(`the schedule changes more than ${MAX_FORECAST_STEPS} times in the forecast range`);

  const wantedSources: ScheduleSource[][] = policies.map(() => []);
  const done: ForecastInterval[] = [];
  const open = new Map<string, ForecastInterval>();
  for (const ms of [...events.keys()].sort((a, b) => a - b)) {
    const now = new Date(ms);
    const which = events.get(ms)!;
    if (which === 'all' || which.size > 0) {
      const wall = wallTime(now, zone);
      const indexes = which === 'all' ? policies.map((_, i) => i) : which;
      for (const i of indexes) wantedSources[i] = activeSources(policies[i], wall).filter((s) => activeProfiles.has(s.profileId));
    }
    // The pairs wanted from `now` on, as desiredPairs would give them, each with its sources.
    const wanted = new Map<string, ScheduleSource[]>();
    policies.forEach((policy, i) => {
      if (wantedSources[i].length === 0) return;
      for (const cameraId of policy.cameraIds) {
        const camera = cameras.get(cameraId);
        if (!camera || !camera.isActive || isPaused(camera, now)) continue;
        for (const source of wantedSources[i]) {
          const key = `${cameraId}:${source.profileId}`;
          const sources = wanted.get(key);
          if (sources === undefined) wanted.set(key, [source]);
          else if (!sources.some((s) => sameSource(s, source))) sources.push(source);
        }
      }
    });
    for (const sources of wanted.values()) if (sources.length > 1) sources.sort(compareSources);
    for (const [key, interval] of open) {
      const sources = wanted.get(key);
      if (sources === undefined || !sameSources(sources, interval.sources)) {
        interval.end = now;
        done.push(interval);
        open.delete(key);
      }
    }
    for (const [key, sources] of wanted) {
      if (open.has(key)) continue;
      const [cameraId, profileId] = key.split(':').map(Number);
      open.set(key, { cameraId, profileId, start: now, end: now, policyIds: policyIdsOf(sources), sources });
    }
  }
  for (const interval of open.values()) {
    interval.end = new Date(end);
    done.push(interval);
  }
  return done.sort((a, b) => a.cameraId - b.cameraId || a.start.getTime() - b.start.getTime() || a.profileId - b.profileId);
}

/**
 * The cameras' pauses in [from, to), clipped to it: while isPaused holds the forecast has no
 * interval for the camera, so a page draws these spans to say why. A pause has no start in the
 * data (only its end), so one in force at `from` starts there. Cameras in scope: the camera
 * filter, and the cameras of the filtered policies. Sorted by camera.
 */
export function forecastPauses(input: ScheduleInput, from: Date, to: Date, options: ForecastOptions = {}): ForecastPause[] {
  const cameraFilter = options.cameraIds ? new Set(options.cameraIds) : null;
  const policyFilter = options.policyIds ? new Set(options.policyIds) : null;
  const policyCameras = policyFilter ? new Set(input.policies.filter((p) => policyFilter.has(p.id)).flatMap((p) => p.cameraIds)) : null;
  const end = to.getTime();
  return input.cameras
    .filter((c) => (!cameraFilter || cameraFilter.has(c.id)) && (!policyCameras || policyCameras.has(c.id)) && isPaused(c, from) && from.getTime() < end)
    .map((c) => ({ cameraId: c.id, start: from, end: new Date(Math.min(c.pauseUntil!.getTime(), end)) }))
    .sort((a, b) => a.cameraId - b.cameraId);
}

const sameSource = (a: ScheduleSource, b: ScheduleSource) => a.policyId === b.policyId && a.window === b.window && a.exception === b.exception;
const sameSources = (a: ScheduleSource[], b: ScheduleSource[]) => a.length === b.length && a.every((s, i) => sameSource(s, b[i]));
const policyIdsOf = (sources: ScheduleSource[]) =>
  sources.length === 1 ? [sources[0].policyId] : [...new Set(sources.map((s) => s.policyId))].sort((a, b) => a - b);

/** The profiles a forecast says run for `cameraId` at `at` (start inclusive, end exclusive). */
export function forecastAt(intervals: ForecastInterval[], cameraId: number, at: Date): number[] {
  const t = at.getTime();
  return intervals
    .filter((i) => i.cameraId === cameraId && i.start.getTime() <= t && t < i.end.getTime())
    .map((i) => i.profileId)
    .sort((a, b) => a - b);
}
