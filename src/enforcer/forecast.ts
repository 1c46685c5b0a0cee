import { activeProfiles as schedulePolicyProfiles, BoundaryCache, isPaused, policyBoundaries, type ScheduleInput, wallTime, zoneOffsetChanges } from './schedule.js';

/**
 * What the enforcer will run and when (the forecast), pure: the same schedule evaluation the
 * plan uses (activeProfiles and isPaused, which desiredPairs combines), read at every instant
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

  const wantedProfiles: number[][] = policies.map(() => []);
  const done: ForecastInterval[] = [];
  const open = new Map<string, ForecastInterval>();
  for (const ms of [...events.keys()].sort((a, b) => a - b)) {
    const now = new Date(ms);
    const which = events.get(ms)!;
    if (which === 'all' || which.size > 0) {
      const wall = wallTime(now, zone);
      const indexes = which === 'all' ? policies.map((_, i) => i) : which;
      for (const i of indexes) wantedProfiles[i] = [...schedulePolicyProfiles(policies[i], wall)].filter((id) => activeProfiles.has(id));
    }
    // The pairs wanted from `now` on, as desiredPairs would give them.
    const wanted = new Map<string, number[]>();
    policies.forEach((policy, i) => {
      if (wantedProfiles[i].length === 0) return;
      for (const cameraId of policy.cameraIds) {
        const camera = cameras.get(cameraId);
        if (!camera || !camera.isActive || isPaused(camera, now)) continue;
        for (const profileId of wantedProfiles[i]) {
          const key = `${cameraId}:${profileId}`;
          const ids = wanted.get(key);
          if (ids === undefined) wanted.set(key, [policy.id]);
          else if (!ids.includes(policy.id)) ids.push(policy.id);
        }
      }
    });
    for (const ids of wanted.values()) ids.sort((a, b) => a - b);
    for (const [key, interval] of open) {
      const policyIds = wanted.get(key);
      if (policyIds === undefined || policyIds.join(',') !== interval.policyIds.join(',')) {
        interval.end = now;
        done.push(interval);
        open.delete(key);
      }
    }
    for (const [key, policyIds] of wanted) {
      if (open.has(key)) continue;
      const [cameraId, profileId] = key.split(':').map(Number);
      open.set(key, { cameraId, profileId, start: now, end: now, policyIds });
    }
  }
  for (const interval of open.values()) {
    interval.end = new Date(end);
    done.push(interval);
  }
  return done.sort((a, b) => a.cameraId - b.cameraId || a.start.getTime() - b.start.getTime() || a.profileId - b.profileId);
}

/** The profiles a forecast says run for `cameraId` at `at` (start inclusive, end exclusive). */
export function forecastAt(intervals: ForecastInterval[], cameraId: number, at: Date): number[] {
  const t = at.getTime();
  return intervals
    .filter((i) => i.cameraId === cameraId && i.start.getTime() <= t && t < i.end.getTime())
    .map((i) => i.profileId)
    .sort((a, b) => a - b);
}
