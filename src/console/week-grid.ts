import { DateTime } from 'luxon';

/**
 * The week and the forecast as pictures: pure geometry (no HTML) that the templates draw as SVG.
 * A window is drawn on its weekday from start to end; an overnight window (end before start)
 * from its start to midnight and its tail from midnight to its end on the next day (Sunday's on
 * Monday); a whole-day window (start = end, as the schedule evaluation reads it) over 24 h.
 */
export interface GridWindow {
  dayOfWeek: number;
  startTime: string;
  endTime: string;
  profileId: number;
  /** What the bar's tooltip says (e.g. "Weekdays · Tue 22:00–06:00 · day-profile"). */
  label: string;
  /** Where a click on the bar goes (the window's policy), if anywhere. */
  href?: string;
  /** Its policy is disabled: drawn faded (it starts nothing). */
  disabled?: boolean;
}
export interface GridBar {
  day: number;
  /** Minutes after local midnight, 0–1440. */
  from: number;
  to: number;
  /** Row within the day when bars overlap (0 = first). */
  lane: number;
  profileId: number;
  label: string;
  href?: string;
  /** The after-midnight part of the previous day's overnight window. */
  tail: boolean;
  disabled?: boolean;
}

const minutes = (wall: string) => {
  const [h, m, s] = wall.split(':').map(Number);
  return h * 60 + (m ?? 0) + (s ?? 0) / 60;
};

export function weekBars(windows: GridWindow[]): { bars: GridBar[]; lanes: number[] } {
  const pieces: Omit<GridBar, 'lane'>[] = [];
  for (const w of windows) {
    const start = minutes(w.startTime);
    const end = minutes(w.endTime);
    const base = { profileId: w.profileId, label: w.label, href: w.href, disabled: w.disabled ?? false };
    if (start === end) pieces.push({ ...base, day: w.dayOfWeek, from: 0, to: 1440, tail: false });
    else if (start < end) pieces.push({ ...base, day: w.dayOfWeek, from: start, to: end, tail: false });
    else {
      pieces.push({ ...base, day: w.dayOfWeek, from: start, to: 1440, tail: false });
      if (end > 0) pieces.push({ ...base, day: (w.dayOfWeek + 1) % 7, from: 0, to: end, tail: true });
    }
  }
  return assignLanes(pieces);
}

/** Greedy lanes per day: a bar goes in the first lane whose last bar has ended. */
function assignLanes<T extends { day: number; from: number; to: number }>(pieces: T[]): { bars: (T & { lane: number })[]; lanes: number[] } {
  const lanes = [1, 1, 1, 1, 1, 1, 1];
  const ends: number[][] = [[], [], [], [], [], [], []];
  const bars = [...pieces]
    .sort((a, b) => a.day - b.day || a.from - b.from || a.to - b.to)
    .map((piece) => {
      const dayEnds = ends[piece.day];
      let lane = dayEnds.findIndex((end) => end <= piece.from);
      if (lane === -1) lane = dayEnds.length;
      dayEnds[lane] = piece.to;
      lanes[piece.day] = Math.max(lanes[piece.day], lane + 1);
      return { ...piece, lane };
    });
  return { bars, lanes };
}

/** Where "now" falls in the week grid: the local weekday (Mon = 0) and minute. */
export function nowMark(now: Date, zone: string): { day: number; minute: number } {
  const local = DateTime.fromJSDate(now, { zone });
  return { day: local.weekday - 1, minute: local.hour * 60 + local.minute + local.second / 60 };
}

export interface ForecastSpan {
  start: Date;
  end: Date;
  profileId: number;
  label: string;
  /** A pause of the camera (drawn apart; nothing runs then). */
  pause?: boolean;
}
export interface ForecastDay {
  /** Local date, e.g. 2026-03-29. */
  date: string;
  weekday: number;
  /** Length of the local day in hours: 23 or 25 on a daylight-saving change. */
  hours: number;
  /** Bars as fractions (0–1) of the local day's real length. */
  bars: { from: number; to: number; lane: number; profileId: number; label: string; startLocal: string; endLocal: string; pause: boolean }[];
  lanes: number;
  /** Each local hour that begins in the day, at its fraction: on a change day 02:00 is missing or shown twice. */
  ticks: { at: number; label: string }[];
  /** "now" as a fraction of the day, when it falls in it. */
  now: number | null;
}

/**
 * The forecast laid out per local day (in `zone`) for `days` days from the local midnight of
 * `from`: intervals cut at local midnights, positioned by elapsed time, so a 23-h or 25-h day is
 * drawn as what it is rather than as 24 wall-clock hours.
 */
export function forecastDays(spans: ForecastSpan[], from: Date, days: number, zone: string, now: Date): ForecastDay[] {
  const first = DateTime.fromJSDate(from, { zone }).startOf('day');
  const out: ForecastDay[] = [];
  for (let i = 0; i < days; i++) {
    const dayStart = first.plus({ days: i });
    const dayEnd = first.plus({ days: i + 1 });
    const t0 = dayStart.toMillis();
    const length = dayEnd.toMillis() - t0;
    const ticks: ForecastDay['ticks'] = [];
    for (let t = dayStart; t < dayEnd; t = t.plus({ hours: 1 })) ticks.push({ at: (t.toMillis() - t0) / length, label: t.toFormat('HH') });
    const pieces = spans
      .filter((s) => s.start.getTime() < dayEnd.toMillis() && s.end.getTime() > t0)
      .map((s) => {
        const a = Math.max(s.start.getTime(), t0);
        const b = Math.min(s.end.getTime(), dayEnd.toMillis());
        return {
          day: 0, from: (a - t0) / length, to: (b - t0) / length, profileId: s.profileId, label: s.label, pause: s.pause ?? false,
          startLocal: DateTime.fromMillis(a, { zone }).toFormat('HH:mm'),
          endLocal: b === dayEnd.toMillis() ? '24:00' : DateTime.fromMillis(b, { zone }).toFormat('HH:mm'),
        };
      });
    const { bars, lanes } = assignLanes(pieces);
    const n = now.getTime();
    out.push({
      date: dayStart.toISODate()!,
      weekday: dayStart.weekday - 1,
      hours: Math.round(length / 3_600_000),
      bars: bars.map(({ day: _day, ...bar }) => bar),
      lanes: lanes[0],
      ticks,
      now: n >= t0 && n < dayEnd.toMillis() ? (n - t0) / length : null,
    });
  }
  return out;
}

/** Ten colours that stay apart in light and dark themes; a profile keeps its colour everywhere. */
export const profileColour = (profileId: number) => `p${((profileId % 10) + 10) % 10}`;
