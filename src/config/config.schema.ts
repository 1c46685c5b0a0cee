import { hostname } from 'node:os';
import { z } from 'zod';

/**
 * The one description of every setting (§7): name, default, allowed values.
 * Each entry turns the raw environment string into a typed value or fails with a
 * message that says what is allowed; `loadConfig` prefixes the variable's name.
 */

const blankToUndefined = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

const text = (fallback?: string) =>
  z
    .string()
    .optional()
    .transform((v) => blankToUndefined(v) ?? fallback);

const integer = (min: number, max: number, fallback: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .optional()
    .transform((v) => blankToUndefined(v) ?? String(fallback))
    .pipe(z.string().regex(/^[+-]?\d+$/, message))
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
};

const boolean = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v) => (blankToUndefined(v) ?? String(fallback)).toLowerCase())
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], 'must be true or false'))
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const timeZone = z
  .string()
  .optional()
  .transform((v) => blankToUndefined(v) ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC')
  .pipe(
    z.string().refine(isIanaZone, 'must be an IANA time zone name such as Asia/Baghdad or UTC'),
  );

function isIanaZone(zone: string): boolean {
  if (zone.startsWith(':')) return false; // POSIX ":/etc/localtime" forms are not zone names
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const url = (protocols: string[], fallback?: string) =>
  text(fallback).pipe(
    z
      .string()
      .refine(
        (v) => {
          try {
            return protocols.includes(new URL(v).protocol);
          } catch {
            return false;
          }
        },
        `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      )
      .optional(),
  );

const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

export const configSchema = z.object({
  NODE_ENV: text('production'),
  ENFORCER_INTERVAL_SECONDS: integer(1, 3600, 15),
  ENFORCER_LOCK_FILE: text('/tmp/bisk_enforcer.lock'),
  /** 0 = automatic: max(3 × interval, 30 s). */
  ENFORCER_LEASE_SECONDS: integer(0, 3600, 0),
  ENFORCER_EMBEDDED: boolean(false),
  TZ: timeZone,
  DATABASE_URL: text('./var/bisk.sqlite').pipe(
    z
      .string()
      .refine(
        (v) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^postgres(ql)?:\/\//i.test(v),
        'must be a file path, sqlite:PATH, or a postgres:// URL',
      ),
  ),
  REDIS_URL: url(['redis:', 'rediss:']),
  BISK_DATA_DIR: text(),
  HOST: text('127.0.0.1'),
  PORT: integer(1, 65535, 8000),
  BISK_API_TOKEN: text().pipe(
    z.string().min(16, 'must be at least 16 characters (use a long random value)').optional(),
  ),
  RUNNER_HEARTBEAT_URL: url(['http:', 'https:'], 'http://127.0.0.1:8000/api/runner/heartbeat/'),
  RUNNER_HEARTBEAT_KEY: text(),
  RUNNER_COMMAND: text(),
  RUNNER_LOG_DIR: text('./var/log/runners'),
  SNAPSHOT_DIR: text('./var/snapshots'),
  RUNNER_STOP_TIMEOUT_SECONDS: integer(1, 300, 3),
  RUNNER_BACKOFF_MAX_SECONDS: integer(1, 3600, 60),
  HEARTBEAT_ONLINE_SEC: integer(1, 86400, 15),
  HEARTBEAT_STALE_SEC: integer(1, 86400, 45),
  HEARTBEAT_OFFLINE_SEC: integer(1, 86400, 120),
  HB_LOG_EVERY_SEC: integer(0, 86400, 60),
  FFMPEG_PATH: text(),
  FFPROBE_PATH: text(),
  NVIDIA_SMI_PATH: text('nvidia-smi'),
  PATH: text('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
  GPU_REQUIRED: boolean(false),
  NODE_NAME: text(hostname()).pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, dots, dashes or underscores'),
  ),
  LOG_LEVEL: text('log').pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)),
});

export type RawConfig = z.output<typeof configSchema>;
export type LogLevelName = (typeof LOG_LEVELS)[number];
