import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { rememberSecret } from '../common/mask.js';
import { ConfigError } from './config.error.js';
import * as v from 'valibot';
import { configSchema, type LogLevelName, type RawConfig } from './config.schema.js';
import { readEnvFile } from './env-file.js';

export type DatabaseSettings =
  | { engine: 'sqlite'; path: string }
  | { engine: 'postgres'; url: string };

/**
 * The typed, validated configuration. Built once at start by `loadConfig` (the only reader of
 * the product's settings in process.env); everything else receives it through Nest's injector.
 * Outside config/, the environment is only read whole to hand it on — to runners (with their
 * BISK_* additions), nvidia-smi and tool lookups (PATH) — and by the logger (JOURNAL_STREAM:
 * is stdout a journal?).
 */
export class AppConfig {
  readonly env: string;
  readonly timeZone: string;
  readonly database: DatabaseSettings;
  /** PostgreSQL statement timeout (ms, 0 = none); the client gives up 2 s after it (a link that stopped answering). */
  readonly statementTimeoutMs: number;
  /** Applied by both entry points before anything is created (file-modes.ts). */
  readonly umask: number;
  readonly http: { host: string; port: number; apiToken?: string };
  readonly enforcer: {
    intervalSeconds: number;
    lockFile: string;
    embedded: boolean;
    nodeName: string;
    /** How long a node's lease lasts without renewal; another node takes its floating cameras after that. */
    leaseSeconds: number;
    /** A tick still running after this long is recorded as failed (runners left as they are). */
    tickBudgetSeconds: number;
  };
  readonly runners: {
    command?: string;
    heartbeatUrl: string;
    heartbeatKey?: string;
    /** Heartbeats accepted without a key although HOST is not loopback (RUNNER_HEARTBEAT_OPEN). */
    heartbeatOpen: boolean;
    /** The original runners' argv: stream password and heartbeat key on the command line (visible in `ps`). */
    secretsInArgv: boolean;
    /** Variables of this environment that runners get besides the built-in allow-list. */
    envPass: string[];
    logDir: string;
    snapshotDir: string;
    stopTimeoutSeconds: number;
    backoffMaxSeconds: number;
  };
  readonly heartbeats: { onlineSec: number; staleSec: number; offlineSec: number; logEverySec: number };
  readonly tools: { ffmpegPath?: string; ffprobePath?: string; nvidiaSmi: string; gpuRequired: boolean; searchPath: string };
  /** Where the SQLite database lives (or ./var): state store file, demo clip, disk-space check. */
  readonly dataDir: string;
  readonly redisUrl?: string;
  readonly logLevel: LogLevelName;

  constructor(raw: RawConfig) {
    // Masking hides these values wherever they appear (a runner printing its key, an error quoting a header).
    rememberSecret(raw.RUNNER_HEARTBEAT_KEY);
    rememberSecret(raw.BISK_API_TOKEN);
    this.env = raw.NODE_ENV ?? 'production';
    this.timeZone = raw.TZ;
    this.database = parseDatabaseUrl(raw.DATABASE_URL);
    this.statementTimeoutMs = raw.DB_STATEMENT_TIMEOUT_MS;
    this.umask = Number.parseInt(raw.BISK_UMASK ?? '0077', 8);
    this.http = { host: raw.HOST ?? '127.0.0.1', port: raw.PORT, apiToken: raw.BISK_API_TOKEN };
    this.enforcer = {
      intervalSeconds: raw.ENFORCER_INTERVAL_SECONDS,
      lockFile: raw.ENFORCER_LOCK_FILE ?? '/tmp/bisk_enforcer.lock',
      embedded: raw.ENFORCER_EMBEDDED,
      nodeName: raw.NODE_NAME,
      leaseSeconds: raw.ENFORCER_LEASE_SECONDS || Math.max(3 * raw.ENFORCER_INTERVAL_SECONDS, 30),
      tickBudgetSeconds: raw.ENFORCER_TICK_BUDGET_SECONDS || Math.max(30, raw.RUNNER_STOP_TIMEOUT_SECONDS + 15),
    };
    this.runners = {
      command: raw.RUNNER_COMMAND,
      // Runners report to this host's app unless told otherwise: PORT is the app's, so a demo or
      // an app on another port gets its heartbeats without a second setting.
      heartbeatUrl: raw.RUNNER_HEARTBEAT_URL ?? `http://127.0.0.1:${raw.PORT}/api/runner/heartbeat/`,
      heartbeatKey: raw.RUNNER_HEARTBEAT_KEY,
      heartbeatOpen: raw.RUNNER_HEARTBEAT_OPEN,
      secretsInArgv: raw.RUNNER_SECRETS_IN_ARGV,
      envPass: raw.RUNNER_ENV_PASS,
      logDir: resolve(raw.RUNNER_LOG_DIR ?? './var/log/runners'),
      snapshotDir: resolve(raw.SNAPSHOT_DIR ?? './var/snapshots'),
      stopTimeoutSeconds: raw.RUNNER_STOP_TIMEOUT_SECONDS,
      backoffMaxSeconds: raw.RUNNER_BACKOFF_MAX_SECONDS,
    };
    this.heartbeats = {
      onlineSec: raw.HEARTBEAT_ONLINE_SEC,
      staleSec: raw.HEARTBEAT_STALE_SEC,
      offlineSec: raw.HEARTBEAT_OFFLINE_SEC,
      logEverySec: raw.HB_LOG_EVERY_SEC,
    };
    this.tools = { ffmpegPath: raw.FFMPEG_PATH, ffprobePath: raw.FFPROBE_PATH, nvidiaSmi: raw.NVIDIA_SMI_PATH ?? 'nvidia-smi', gpuRequired: raw.GPU_REQUIRED, searchPath: raw.PATH ?? '' };
    this.dataDir = raw.BISK_DATA_DIR
      ? resolve(raw.BISK_DATA_DIR)
      : this.database.engine === 'sqlite' && this.database.path !== ':memory:' ? dirname(this.database.path) : resolve('./var');
    this.redisUrl = raw.REDIS_URL;
    this.logLevel = raw.LOG_LEVEL;
  }
}

export function parseDatabaseUrl(value: string): DatabaseSettings {
  if (/^postgres(ql)?:\/\//i.test(value)) return { engine: 'postgres', url: value };
  const path = value.replace(/^sqlite:(\/\/)?/i, '');
  return { engine: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const version = isIP(host);
  if (version === 4) return host.startsWith('127.');
  if (version === 6) return host === '::1';
  return false;
}

/**
 * Reads the environment (plus `BISK_ENV_FILE` when set) and returns the typed config, or
 * throws a ConfigError whose message is one line naming each bad variable and what is allowed.
 * Values already in the environment win over the file, as with systemd's own
 * `Environment=` over `EnvironmentFile=`; file values are exported so child processes
 * (runners, ffmpeg) see the same PATH and TZ as under systemd.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const fileName = env.BISK_ENV_FILE?.trim();
  if (fileName) {
    const fromFile = readEnvFile(fileName);
    for (const [key, value] of Object.entries(fromFile)) {
      if (env[key] === undefined) env[key] = value;
    }
  }
  const parsed = v.safeParse(configSchema, env, { abortPipeEarly: true });
  if (!parsed.success) {
    const problems = parsed.issues.map((issue) => {
      const name = String(issue.path?.[0]?.key);
      return `${name} ${issue.message} (got "${String(env[name] ?? '').slice(0, 80)}")`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const raw = parsed.output;
  const crossField: string[] = [];
  if (!(raw.HEARTBEAT_ONLINE_SEC < raw.HEARTBEAT_STALE_SEC && raw.HEARTBEAT_STALE_SEC < raw.HEARTBEAT_OFFLINE_SEC)) {
    crossField.push(
      `HEARTBEAT_ONLINE_SEC < HEARTBEAT_STALE_SEC < HEARTBEAT_OFFLINE_SEC is required (got ${raw.HEARTBEAT_ONLINE_SEC}, ${raw.HEARTBEAT_STALE_SEC}, ${raw.HEARTBEAT_OFFLINE_SEC})`,
    );
  }
  const host = raw.HOST ?? '127.0.0.1';
  if (!raw.BISK_API_TOKEN && !isLoopbackHost(host)) {
    crossField.push(
      `HOST "${host}" is not a loopback address; without BISK_API_TOKEN the API only listens on 127.0.0.1, ::1 or localhost (set BISK_API_TOKEN to serve other hosts)`,
    );
  }
  if (!raw.RUNNER_HEARTBEAT_KEY && !raw.RUNNER_HEARTBEAT_OPEN && !isLoopbackHost(host)) {
    crossField.push(
      `HOST "${host}" is not a loopback address and RUNNER_HEARTBEAT_KEY is empty: anyone who reaches the port could post heartbeats for any camera (set RUNNER_HEARTBEAT_KEY, or RUNNER_HEARTBEAT_OPEN=true to accept heartbeats without a key)`,
    );
  }
  if (raw.ENFORCER_LEASE_SECONDS !== 0 && raw.ENFORCER_LEASE_SECONDS <= raw.ENFORCER_INTERVAL_SECONDS) {
    crossField.push(`ENFORCER_LEASE_SECONDS must be longer than ENFORCER_INTERVAL_SECONDS (got ${raw.ENFORCER_LEASE_SECONDS} and ${raw.ENFORCER_INTERVAL_SECONDS}), or 0 for automatic`);
  }
  if (crossField.length > 0) throw new ConfigError(`Invalid configuration: ${crossField.join('; ')}`);
  return new AppConfig(raw);
}
