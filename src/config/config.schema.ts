import { hostname } from 'node:os';
import * as v from 'valibot';

/**
 * The one description of every setting (§7): name, default, allowed values.
 * Each entry turns the raw environment string into a typed value or fails with a
 * message that says what is allowed; `loadConfig` prefixes the variable's name.
 */

const blankToUndefined = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** Every setting is a string in the environment, or missing (read as ""). */
const fromEnv = <T>(read: (value: string | undefined) => T) => v.optional(v.pipe(v.string(), v.transform((value) => read(blankToUndefined(value)))), '');

/** One check of a present value: the message is what the operator reads after the variable's name. */
const checked = <T>(read: (value: string | undefined) => T, valid: (value: T) => boolean, message: string) =>
  v.optional(v.pipe(v.string(), v.transform((value) => read(blankToUndefined(value))), v.check(valid, message)), '');

const text = (fallback?: string) => fromEnv((value) => value ?? fallback);
const textWith = (fallback: string, valid: (value: string) => boolean, message: string) => checked((value) => value ?? fallback, valid, message);
const optionalWith = (valid: (value: string) => boolean, message: string) => checked((value) => value, (value) => value === undefined || valid(value), message);

const integer = (min: number, max: number, fallback: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return v.optional(
    v.pipe(
      v.string(),
      v.transform((value) => blankToUndefined(value) ?? String(fallback)),
      v.regex(/^[+-]?\d+$/, message),
      v.transform(Number),
      v.minValue(min, message),
      v.maxValue(max, message),
    ),
    '',
  );
};

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'];
const boolean = (fallback: boolean) =>
  v.optional(
    v.pipe(
      v.string(),
      v.transform((value) => (blankToUndefined(value) ?? String(fallback)).toLowerCase()),
      v.check((value) => BOOLEAN_WORDS.includes(value), 'must be true or false'),
      v.transform((value) => ['true', '1', 'yes', 'on'].includes(value)),
    ),
    '',
  );

const timeZone = textWith(Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC', isIanaZone, 'must be an IANA time zone name such as Asia/Baghdad or UTC');

function isIanaZone(zone: string): boolean {
  if (zone.startsWith(':')) return false; // POSIX ":/etc/localtime" forms are not zone names
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const isUrl = (protocols: string[]) => (value: string) => {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
};
const urlMessage = (protocols: string[]) => `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;

const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;

/** The service's own secrets: never handed to runners, whatever RUNNER_ENV_PASS says. */
export const SERVICE_SECRETS = ['BISK_API_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'RUNNER_HEARTBEAT_KEY', 'BISK_ENV_FILE'] as const;

export const configSchema = v.object({
  NODE_ENV: text('production'),
  ENFORCER_INTERVAL_SECONDS: integer(1, 3600, 15),
  ENFORCER_LOCK_FILE: text('/tmp/bisk_enforcer.lock'),
  /** 0 = automatic: max(3 × interval, 30 s). */
  ENFORCER_LEASE_SECONDS: integer(0, 3600, 0),
  /** 0 = automatic: max(30 s, RUNNER_STOP_TIMEOUT_SECONDS + 15 s). */
  ENFORCER_TICK_BUDGET_SECONDS: integer(0, 3600, 0),
  ENFORCER_EMBEDDED: boolean(false),
  TZ: timeZone,
  DATABASE_URL: textWith(
    './var/bisk.sqlite',
    (value) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^postgres(ql)?:\/\//i.test(value),
    'must be a file path, sqlite:PATH, or a postgres:// URL',
  ),
  /** PostgreSQL statement_timeout (the server's) and, 2 s later, the client's own query timeout; 0 = none. */
  DB_STATEMENT_TIMEOUT_MS: integer(0, 3_600_000, 15_000),
  /** Octal umask for every file and directory the process (and its runners) create. */
  BISK_UMASK: textWith('0077', (value) => /^0?[0-7]{3}$/.test(value) && (Number.parseInt(value, 8) & 0o700) === 0, 'must be an octal umask that leaves the owner read, write and search, such as 0077 or 0027'),
  REDIS_URL: optionalWith(isUrl(['redis:', 'rediss:']), urlMessage(['redis:', 'rediss:'])),
  BISK_DATA_DIR: text(),
  HOST: text('127.0.0.1'),
  PORT: integer(1, 65535, 8000),
  BISK_API_TOKEN: optionalWith((value) => value.length >= 16, 'must be at least 16 characters (use a long random value)'),
  /** Absent: this host's own app, on PORT (see AppConfig). */
  RUNNER_HEARTBEAT_URL: optionalWith(isUrl(['http:', 'https:']), urlMessage(['http:', 'https:'])),
  RUNNER_HEARTBEAT_KEY: optionalWith((value) => value.length >= 8, 'must be at least 8 characters (use a long random value)'),
  /** Accept heartbeats without a key on a non-loopback HOST (refused at start otherwise). */
  RUNNER_HEARTBEAT_OPEN: boolean(false),
  RUNNER_COMMAND: text(),
  RUNNER_SECRETS_IN_ARGV: boolean(false),
  RUNNER_ENV_PASS: checked(
    (value) => (value ?? '').split(',').map((name) => name.trim()).filter(Boolean),
    (names) => names.every((name) => /^[A-Za-z_][A-Za-z0-9_]*\*?$/.test(name) && !(SERVICE_SECRETS as readonly string[]).includes(name)),
    `must be a comma-separated list of variable names (a name may end with * for a prefix), none of ${SERVICE_SECRETS.join(', ')}: runners never get those`,
  ),
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
  NODE_NAME: textWith(hostname(), (value) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(value), 'must be 1-63 letters, digits, dots, dashes or underscores'),
  LOG_LEVEL: checked((value) => (value ?? 'log') as LogLevelName, (value) => LOG_LEVELS.includes(value), `must be one of ${LOG_LEVELS.join(', ')}`),
});

export type RawConfig = v.InferOutput<typeof configSchema>;
export type LogLevelName = (typeof LOG_LEVELS)[number];
