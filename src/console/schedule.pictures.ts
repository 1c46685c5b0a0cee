import { DateTime } from 'luxon';
import type { ForecastService } from '../enforcer/forecast.service.js';
import type { PoliciesService } from '../schedules/policies.service.js';
import type { ProfilesService } from '../schedules/profiles.service.js';
import type { ConsolePages } from './console.pages.js';
import { SHORT_DAYS } from './console.view.js';
import { forecastDays, type GridWindow, nowMark, profileColour, weekBars } from './week-grid.js';

export const FORECAST_DAYS = 7;

type PolicyView = Awaited<ReturnType<PoliciesService['get']>>;

const hhmm = (wall: string) => (wall.endsWith(':00') ? wall.slice(0, 5) : wall);

type Source = Awaited<ReturnType<ForecastService['forCamera']>>['intervals'][number]['sources'][number];

/** "Weekdays: window Tue 22:00–06:00" or "Holidays: exception 2026-12-24 on". */
export function describeSource(source: Source): string {
  if (source.kind === 'window') {
    const times = source.startTime === source.endTime ? 'all day' : `${hhmm(source.startTime)}–${hhmm(source.endTime)}`;
    return `${source.policyName}: window ${SHORT_DAYS[source.dayOfWeek]} ${times}`;
  }
  const times = source.mode === 'window' && source.startTime && source.endTime ? ` ${hhmm(source.startTime)}–${hhmm(source.endTime)}` : '';
  return `${source.policyName}: exception ${source.date} ${source.mode}${times}`;
}

/**
 * The week grid (windows of the policies) and the 7-day forecast (what the enforcer will run,
 * from the forecast service: the plan's own evaluation) of one camera or one policy.
 */
export async function scheduleViews(
  pages: ConsolePages,
  policies: PoliciesService,
  profiles: ProfilesService,
  forecasts: ForecastService,
  subject: { cameraId: number } | { policy: PolicyView },
) {
  const zone = pages.timeZone;
  const now = pages.now();
  const from = DateTime.fromJSDate(now, { zone }).startOf('day').toJSDate();
  const [owned, forecast, profileList] = await Promise.all([
    'policy' in subject ? [subject.policy] : pages.policiesOfCamera(subject.cameraId).then((ids) => Promise.all(ids.map((id) => policies.get(id)))),
    'policy' in subject ? forecasts.forPolicy(subject.policy.id, from, FORECAST_DAYS) : forecasts.forCamera(subject.cameraId, from, FORECAST_DAYS),
    profiles.list({ limit: 500, offset: 0 }),
  ]);
  const profileNames = new Map(profileList.items.map((p) => [p.id, p.name]));
  const profileName = (id: number | null) => (id === null ? '' : (profileNames.get(id) ?? `#${id}`));
  const windows: GridWindow[] = owned.flatMap((policy) =>
    policy.windows.map((w) => ({
      dayOfWeek: w.dayOfWeek, startTime: w.startTime, endTime: w.endTime, profileId: w.profileId,
      label: `${policy.name} · ${SHORT_DAYS[w.dayOfWeek]} ${w.startTime === w.endTime ? 'all day' : `${hhmm(w.startTime)}–${hhmm(w.endTime)}`} · ${profileName(w.profileId)}${policy.isEnabled ? '' : ' (policy disabled)'}`,
      href: `/dash/policies/${policy.id}`,
      disabled: !policy.isEnabled,
    })),
  );
  const week = weekBars(windows);
  // A policy's forecast covers all its cameras: one bar per profile where any camera runs it.
  const spans = forecast.intervals.map((i) => ({
    start: new Date(i.start), end: new Date(i.end), profileId: i.profileId,
    label: `${i.profileName}${'policy' in subject ? ` · ${i.cameraName}` : ''} — ${i.sources.map(describeSource).join('; ')}`,
  }));
  const pauses = forecast.pauses.map((p) => ({ start: new Date(p.start), end: new Date(p.end), profileId: -1, label: `${p.cameraName} paused`, pause: true }));
  const merged = 'policy' in subject ? mergeByProfile(spans) : [...spans, ...pauses];
  const usedProfiles = [...new Set([...windows.map((w) => w.profileId), ...merged.map((s) => s.profileId)])].sort((a, b) => a - b);
  return {
    week: { ...week, now: nowMark(now, zone) },
    forecastDays: forecastDays(merged, from, FORECAST_DAYS, zone, now),
    legend: usedProfiles.map((id) => ({ id, name: profileName(id), colour: profileColour(id) })),
    colour: profileColour,
    policiesShown: owned.map((p) => ({ id: p.id, name: p.name, isEnabled: p.isEnabled, exceptions: p.exceptions })),
    profileName,
  };
}

/** Intervals of one profile (over several cameras) joined where they touch or overlap. */
function mergeByProfile(spans: { start: Date; end: Date; profileId: number; label: string }[]) {
  const byProfile = new Map<number, { start: Date; end: Date; profileId: number; label: string }[]>();
  for (const s of [...spans].sort((a, b) => a.start.getTime() - b.start.getTime())) {
    const list = byProfile.get(s.profileId) ?? [];
    const last = list[list.length - 1];
    if (last && s.start.getTime() <= last.end.getTime()) {
      if (s.end > last.end) last.end = s.end;
    } else list.push({ ...s, label: s.label.split(' · ')[0] });
    byProfile.set(s.profileId, list);
  }
  return [...byProfile.values()].flat();
}
