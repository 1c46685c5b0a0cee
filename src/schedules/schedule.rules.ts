import { DAY_NAMES, type ExceptionMode } from '../common/domain.js';
import type { FieldError } from '../common/validation.js';
import { normalizeWallTime } from '../common/validators.js';

export interface ExceptionInput {
  date: string;
  mode: ExceptionMode;
  startTime?: string | null;
  endTime?: string | null;
  profileId?: number | null;
}

/**
 * The rules an exception must satisfy beyond field types (§3): `off` takes nothing else;
 * `on` needs a profile; `window` needs a profile and start < end on the same date.
 * Returns field errors under `prefix` (empty when valid).
 */
export function exceptionProblems(input: ExceptionInput, prefix = ''): FieldError[] {
  const field = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const problems: FieldError[] = [];
  const add = (name: string, message: string) => problems.push({ field: field(name), messages: [`${field(name)} ${message}`] });
  const has = (value: unknown) => value !== undefined && value !== null;

  if (input.mode !== 'window') {
    if (has(input.startTime)) add('startTime', 'is only allowed when mode is "window"');
    if (has(input.endTime)) add('endTime', 'is only allowed when mode is "window"');
  }
  if (input.mode === 'off' && has(input.profileId)) add('profileId', 'is not allowed when mode is "off" (nothing runs)');
  if (input.mode !== 'off' && !has(input.profileId)) add('profileId', `is required when mode is "${input.mode}"`);
  if (input.mode === 'window') {
    if (!has(input.startTime)) add('startTime', 'is required when mode is "window"');
    if (!has(input.endTime)) add('endTime', 'is required when mode is "window"');
    if (has(input.startTime) && has(input.endTime) && normalizeWallTime(input.startTime!) >= normalizeWallTime(input.endTime!)) {
      add('endTime', `must be later than startTime for mode "window" (got ${input.startTime}–${input.endTime}; an exception covers one date)`);
    }
  }
  return problems;
}

/** Stored form of an exception: times normalised to HH:MM:SS, absent values as null. */
export function normalizeException(input: ExceptionInput) {
  return {
    date: input.date,
    mode: input.mode,
    startTime: input.mode === 'window' && input.startTime ? normalizeWallTime(input.startTime) : null,
    endTime: input.mode === 'window' && input.endTime ? normalizeWallTime(input.endTime) : null,
    profileId: input.mode === 'off' ? null : (input.profileId ?? null),
  };
}

/** Dates used more than once in one request. */
export function duplicateDates(exceptions: { date: string }[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { date } of exceptions) (seen.has(date) ? duplicates : seen).add(date);
  return [...duplicates].sort();
}

export interface WindowTimes {
  dayOfWeek: number;
  startTime: string;
  endTime: string;
}

const DAY_SECONDS = 86_400;

/** The part of a window on one local day: [start, end) in seconds of that day. */
interface Piece {
  day: number;
  start: number;
  end: number;
  index: number;
}

const secondsOf = (time: string) => {
  const [h, m, s] = normalizeWallTime(time).split(':').map(Number);
  return h * 3600 + m * 60 + s;
};

/** What a window occupies, day by day, read as the enforcer reads it (§3). */
function piecesOf(window: WindowTimes, index: number): Piece[] {
  const day = window.dayOfWeek;
  const start = secondsOf(window.startTime);
  const end = secondsOf(window.endTime);
  if (start === end) return [{ day, start: 0, end: DAY_SECONDS, index }];
  if (start < end) return [{ day, start, end, index }];
  const pieces = [{ day, start, end: DAY_SECONDS, index }];
  if (end > 0) pieces.push({ day: (day + 1) % 7, start: 0, end, index });
  return pieces;
}

const shortDay = (day: number) => DAY_NAMES[day].slice(0, 3);
const shortTime = (time: string) => {
  const normalized = normalizeWallTime(time);
  return normalized.endsWith(':00') ? normalized.slice(0, 5) : normalized;
};

/** A window as the operator wrote it; the tail of the day before carries that day's name. */
function describeWindow(window: WindowTimes, day: number): string {
  const times = `${shortTime(window.startTime)}–${shortTime(window.endTime)}`;
  if (window.dayOfWeek !== day) return `${shortDay(window.dayOfWeek)} ${times}`;
  return secondsOf(window.startTime) === secondsOf(window.endTime) ? `${times} (whole day)` : times;
}

const clashMessage = (day: number, first: WindowTimes, second: WindowTimes) =>
  `Overlapping windows on ${shortDay(day)}: ${describeWindow(first, day)} conflicts with ${describeWindow(second, day)}`;

/**
 * Windows of one policy that overlap on the same local day (overnight tails count on the day
 * they fall on, Sunday's on Monday; start = end is the whole day; touching is not overlapping).
 * Per day the pieces are sorted by start and each is compared with the piece reaching furthest
 * so far — O(n log n), and every overlap is found because any piece that overlaps an earlier
 * one overlaps that furthest-reaching one too. Each clash is reported once, on the later window
 * of the pair in the list, with the earlier-starting window named first.
 */
export function windowOverlaps(windows: WindowTimes[], fieldOf = (index: number) => `windows[${index}]`): FieldError[] {
  const days: Piece[][] = Array.from({ length: 7 }, () => []);
  windows.forEach((window, index) => {
    for (const piece of piecesOf(window, index)) days[piece.day].push(piece);
  });
  const clashes: { index: number; day: number; message: string }[] = [];
  days.forEach((pieces, day) => {
    pieces.sort((a, b) => a.start - b.start || a.index - b.index);
    let furthest: Piece | undefined;
    for (const piece of pieces) {
      if (furthest && piece.start < furthest.end) {
        clashes.push({ index: Math.max(furthest.index, piece.index), day, message: clashMessage(day, windows[furthest.index], windows[piece.index]) });
      }
      if (!furthest || piece.end > furthest.end) furthest = piece;
    }
  });
  clashes.sort((a, b) => a.index - b.index || a.day - b.day);
  const byField = new Map<string, string[]>();
  for (const { index, message } of clashes) {
    const field = fieldOf(index);
    byField.set(field, [...(byField.get(field) ?? []), message]);
  }
  return [...byField].map(([field, messages]) => ({ field, messages }));
}

/**
 * One new or changed window against the policy's other windows (which are not checked among
 * themselves: rows stored before this rule may overlap). At most one message per day the
 * window touches, naming the earliest-starting window it overlaps there. O(n).
 */
export function windowOverlapsWith(window: WindowTimes, others: WindowTimes[], field: string): FieldError[] {
  const messages: string[] = [];
  for (const mine of piecesOf(window, -1)) {
    let first: { piece: Piece; window: WindowTimes } | undefined;
    others.forEach((other, index) => {
      for (const piece of piecesOf(other, index)) {
        if (piece.day !== mine.day || piece.start >= mine.end || mine.start >= piece.end) continue;
        if (!first || piece.start < first.piece.start) first = { piece, window: other };
      }
    });
    if (first) {
      messages.push(first.piece.start <= mine.start ? clashMessage(mine.day, first.window, window) : clashMessage(mine.day, window, first.window));
    }
  }
  return messages.length ? [{ field, messages }] : [];
}
