import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { looksLikeOption, RESERVED_RUNNER_FLAGS, reservedFlag } from '../enforcer/runner-command.js';

/** Optional, but when present must be valid; `null` is rejected (the field has a default, not a "none"). */
export const IsOptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

/** May be omitted or `null` (meaning "none"/"inherit"); otherwise must be valid. */
export const IsNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** Trims surrounding white space of strings so "  " counts as empty. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** "HH:MM" or "HH:MM:SS", 00:00 … 23:59:59. */
export const WALL_TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

export function IsWallTime(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isWallTime',
      validator: {
        validate: (value) => typeof value === 'string' && WALL_TIME.test(value),
        defaultMessage: (args) =>
          `${args?.property} must be a time of day as "HH:MM" or "HH:MM:SS" from 00:00 to 23:59:59 (got ${JSON.stringify(args?.value)})`,
      },
    },
    options,
  );
}

/** Normalises a valid wall time to "HH:MM:SS" so equal times compare equal. */
export function normalizeWallTime(value: string): string {
  const match = WALL_TIME.exec(value);
  if (!match) throw new Error(`not a wall time: ${value}`);
  return `${match[1]}:${match[2]}:${match[3] ?? '00'}`;
}

/** A real calendar date "YYYY-MM-DD" (no 2026-02-30). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function IsCalendarDate(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: (args) => `${args?.property} must be a calendar date as "YYYY-MM-DD" (got ${JSON.stringify(args?.value)})`,
      },
    },
    options,
  );
}

/** "2026-12-01T08:00:00+03:00" / "…Z": a date-time whose instant is unambiguous (no local time without an offset). */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * An ISO-8601 date-time with `Z` or an offset, on a real calendar day, in years 1–9999 once
 * converted to UTC (what both engines store): a bare date or local time would be read in the
 * server's zone, and "2026-02-30" would roll over to March. (Plain arithmetic for the calendar:
 * Date.UTC and validator's strict ISO check read years 0–99 as 1900–1999.)
 */
export function isInstant(value: unknown): value is string {
  const match = typeof value === 'string' ? INSTANT.exec(value) : null;
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  const ms = Date.parse(value as string);
  if (!Number.isFinite(ms)) return false;
  const utcYear = new Date(ms).getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999;
}

export function IsInstant(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: isInstant,
        defaultMessage: (args) =>
          `${args?.property} must be an ISO-8601 date-time with Z or an offset, such as 2026-12-01T08:00:00+03:00 (got ${JSON.stringify(args?.value)?.slice(0, 60)})`,
      },
    },
    options,
  );
}

/** No control characters (newlines, NUL, escapes) in names and URLs: they break logs and argv. */
export function HasNoControlChars(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'hasNoControlChars',
      validator: {
        // eslint-disable-next-line no-control-regex
        validate: (value) => typeof value === 'string' && !/[\u0000-\u001f\u007f]/.test(value),
        defaultMessage: (args) => `${args?.property} must not contain control characters such as newlines or tabs`,
      },
    },
    options,
  );
}

/** Linux CPU list as taskset takes it: "0", "0-3", "0,2,4-7". */
export function IsCpuList(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isCpuList',
      validator: {
        validate: (value) =>
          typeof value === 'string' &&
          /^\d{1,4}(-\d{1,4})?(,\d{1,4}(-\d{1,4})?)*$/.test(value) &&
          value.split(',').every((part) => {
            const [a, b] = part.split('-').map(Number);
            return b === undefined || a <= b;
          }),
        defaultMessage: (args) => `${args?.property} must be a CPU list such as "0-3" or "0,2,4-7" (got ${JSON.stringify(args?.value)})`,
      },
    },
    options,
  );
}

const RESERVED_LIST = RESERVED_RUNNER_FLAGS.join(', ');
const ARG_NAME = /^-{0,2}[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A profile's extra runner arguments: `{ "name": string | number | boolean | null }`, at most 32 entries. */
export function IsExtraArgs(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isExtraArgs',
      validator: {
        validate: (value) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= 32 &&
          Object.entries(value).every(
            ([key, v]) =>
              ARG_NAME.test(key) &&
              reservedFlag(key) === null &&
              !looksLikeOption(v) &&
              (v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ||
                (typeof v === 'string' && v.length <= 1024 && !/[\u0000-\u001f]/.test(v))),
          ),
        defaultMessage: (args) => {
          const reserved = args && typeof args.value === 'object' && args.value !== null && !Array.isArray(args.value) ? Object.keys(args.value).find((key) => reservedFlag(key) !== null) : undefined;
          if (reserved !== undefined) {
            return `${args?.property} may not set "${reserved}": the enforcer passes --${reservedFlag(reserved)} to every runner itself (reserved: ${RESERVED_LIST})`;
          }
          const optionValue = args && typeof args.value === 'object' && args.value !== null && !Array.isArray(args.value) ? Object.entries(args.value).find(([, v]) => looksLikeOption(v)) : undefined;
          if (optionValue !== undefined) {
            return `${args?.property}.${optionValue[0]} may not start with "-": a runner would read "${String(optionValue[1]).slice(0, 40)}" as an option of its own`;
          }
          return `${args?.property} must be an object of at most 32 argument names (letters, digits, _ . -, optionally starting with - or --) to string, number, boolean or null values`;
        },
      },
    },
    options,
  );
}
