import type { ExceptionMode } from '../common/domain.js';
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
