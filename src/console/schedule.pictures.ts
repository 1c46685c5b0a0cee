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
  startDate?: string,
) {
  const zone = pages.timeZone;
  const now = pages.now();
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  // `?from=YYYY-MM-DD` pages the forecast by weeks (a holiday next week); anything else is today.
  const asked = startDate && /^\d{4}-\d{2}-\d{2}$/.test(startDate) ? DateTime.fromISO(startDate, { zone }) : null;
  const first = asked?.isValid && Math.abs(asked.diff(today, 'days').days) <= 366 ? asked.startOf('day') : today;
  const from = first.toJSDate();
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
  // Only the pause's end is stored: drawn from now (or the range's start), not from the day's midnight.
  const pauses = forecast.pauses
    .map((p) => ({ start: new Date(Math.max(Date.parse(p.start), now.getTime())), end: new Date(p.end), profileId: -1, label: `${p.cameraName} paused until ${DateTime.fromISO(p.end, { zone }).toFormat('ccc d LLL HH:mm')}`, pause: true }))
    .filter((p) => p.end > p.start);
  const merged = 'policy' in subject ? mergeByProfile(spans) : [...spans, ...pauses];
  const usedProfiles = [...new Set([...windows.map((w) => w.profileId), ...merged.filter((s) => !('pause' in s && s.pause)).map((s) => s.profileId)])].sort((a, b) => a - b);
  // What the exceptions of these policies do on the days shown (a holiday draws no bar: it says so).
  const days = forecastDays(merged, from, FORECAST_DAYS, zone, now);
  const shownDates = new Set(days.map((d) => d.date));
  const exceptionsByDate = new Map<string, string[]>();
  for (const policy of owned) {
    if (!policy.isEnabled) continue;
    for (const e of policy.exceptions) {
      if (!shownDates.has(e.date)) continue;
      const what = e.mode === 'off' ? 'off' : e.mode === 'on' ? `on all day (${profileName(e.profileId)})` : `${hhmm(e.startTime ?? '')}–${hhmm(e.endTime ?? '')} only (${profileName(e.profileId)})`;
      exceptionsByDate.set(e.date, [...(exceptionsByDate.get(e.date) ?? []), `${policy.name}: ${what}`]);
    }
  }
  const weekFrom = (offset: number) => first.plus({ days: offset }).toISODate();
  return {
    week: { ...week, now: nowMark(now, zone) },
    forecastDays: days,
    exceptionsByDate,
    forecastNav: { previous: weekFrom(-FORECAST_DAYS), next: weekFrom(FORECAST_DAYS), isToday: first.equals(today), first: first.toISODate() },
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
