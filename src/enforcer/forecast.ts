import { desiredPairs, nextBoundary, type ScheduleInput } from './schedule.js';

/**
 * What the enforcer will run and when (the forecast), pure: the same schedule evaluation the
 * plan uses (desiredPairs), read at every instant where the wanted set can change
 * (nextBoundary) between `from` and `to`. Between two such instants the set is constant, so
 * the intervals are exact — pauses, exceptions, overnight tails, daylight-saving days and the
 * union of policies included — and never a second implementation of the schedule rules.
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
const LOOKAHEAD_STEP_MS = 7 * 86_400_000;

export function forecast(input: ScheduleInput, from: Date, to: Date, zone: string, options: ForecastOptions = {}): ForecastInterval[] {
  const cameras = options.cameraIds ? new Set(options.cameraIds) : null;
  const policies = options.policyIds ? new Set(options.policyIds) : null;
  // Only what can matter to the cameras asked about is evaluated.
  const scoped: ScheduleInput = cameras
    ? {
        cameras: input.cameras.filter((c) => cameras.has(c.id)),
        profiles: input.profiles,
        policies: input.policies.filter((p) => p.cameraIds.some((id) => cameras.has(id))),
      }
    : input;
  const done: ForecastInterval[] = [];
  const open = new Map<string, ForecastInterval>();
  const end = to.getTime();
  let at = from.getTime();
  for (let steps = 0; at < end; steps++) {
    if (steps >= MAX_FORECAST_STEPS) throw new Error(`the schedule changes more than ${MAX_FORECAST_STEPS} times in the forecast range`);
    const now = new Date(at);
    const wanted = new Map<string, number[]>();
    for (const pair of desiredPairs(scoped, now, zone)) {
      if (cameras && !cameras.has(pair.cameraId)) continue;
      const policyIds = policies ? pair.policyIds.filter((id) => policies.has(id)) : pair.policyIds;
      if (policyIds.length > 0) wanted.set(`${pair.cameraId}:${pair.profileId}`, policyIds);
    }
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
    // nextBoundary looks 8 local days ahead: stepping at most 7 days at a time sees everything.
    const next = Math.min(nextBoundary(scoped, now, zone)?.getTime() ?? Number.POSITIVE_INFINITY, at + LOOKAHEAD_STEP_MS);
    at = Math.min(Math.max(next, at + 1), end);
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
