import { join } from 'node:path';
import { maskCredentials, withoutCredentials } from '../common/mask.js';
import { SERVICE_SECRETS } from '../config/config.schema.js';
import { RUNNER_MARKER } from './proc.js';
import type { EffectiveSpec } from './spec.js';

/**
 * The runner process contract (§4), pure: argv and environment for one (camera, profile)
 * from its effective spec. The underscore option names are the original runners' own, so
 * existing runner scripts work unchanged.
 */

export interface RunnerCommandSettings {
  /** The runner program as words (RUNNER_COMMAND split, or the bundled reference runner). */
  command: string[];
  heartbeatUrl: string;
  heartbeatKey: string;
  snapshotDir: string;
  logDir: string;
  node: string;
  /**
   * RUNNER_SECRETS_IN_ARGV: the stream URL with its password and `--hb_key` on the command
   * line, as the original runners expect — readable by every local user through `ps`.
   * Off: the secrets travel in BISK_RTSP_URL / BISK_HB_KEY (readable by the same user only).
   */
  secretsInArgv: boolean;
  /** RUNNER_ENV_PASS: more variables of the service's environment that runners get (names, or prefixes ending in `*`). */
  envPass: string[];
}

/** Where the runner finds the stream URL with its credentials and the heartbeat key. */
export const RTSP_URL_ENV = 'BISK_RTSP_URL';
export const HB_KEY_ENV = 'BISK_HB_KEY';

/** The options the enforcer itself passes: a profile's extraArgs may not name them. */
export const RESERVED_RUNNER_FLAGS = [
  'camera', 'profile', 'rtsp', 'fps', 'det_set', 'hb', 'hb_key', 'snapshots', 'hb_interval', 'snapshot_every',
  'rtsp_transport', 'device', 'gpu_index', 'hwaccel',
] as const;

/**
 * An extraArgs value that a runner would read as an option of its own (`--hb=http://elsewhere`,
 * `-x`): refused, so a value cannot smuggle in a reserved flag. Negative numbers are values.
 */
export function looksLikeOption(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('-') && Number.isNaN(Number(value));
}

/** The reserved flag an extraArgs key names (`rtsp`, `--rtsp`, `-rtsp`, `--hb-key` …), or null. */
export function reservedFlag(key: string): string | null {
  const name = key.replace(/^-+/, '').replace(/-/g, '_').toLowerCase();
  return (RESERVED_RUNNER_FLAGS as readonly string[]).includes(name) ? name : null;
}

/**
 * What runners get from the service's own environment: enough to find programs, speak the
 * locale, reach the GPU and run Python — never the API token, the database URL or anything else
 * the service holds. RUNNER_ENV_PASS adds names.
 */
export const RUNNER_ENV_ALLOWED = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_*', 'TZ', 'TMPDIR', 'XDG_RUNTIME_DIR',
  'LD_LIBRARY_PATH', 'CUDA_*', 'NVIDIA_*', 'FFMPEG_PATH', 'FFPROBE_PATH', 'PYTHONPATH', 'PYTHONUNBUFFERED', 'PYTHONIOENCODING', 'VIRTUAL_ENV',
  'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS',
];

function allowedBy(patterns: string[]): (name: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith('*')));
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
}

/** The allow-listed part of `base`; the service's own secrets never, even when a prefix in `extra` covers them. */
export function passedEnv(base: NodeJS.ProcessEnv, extra: string[] = []): NodeJS.ProcessEnv {
  const allowed = allowedBy([...RUNNER_ENV_ALLOWED, ...extra]);
  const env: NodeJS.ProcessEnv = {};
  const secrets = new Set<string>(SERVICE_SECRETS);
  for (const [name, value] of Object.entries(base)) if (value !== undefined && allowed(name) && !secrets.has(name)) env[name] = value;
  return env;
}

/** Splits RUNNER_COMMAND like a shell would for plain words and quotes (no expansion). */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text))) words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3]));
  return words;
}

export const snapshotDirFor = (root: string, cameraId: number) => join(root, `camera-${cameraId}`);
export const logFileFor = (root: string, cameraId: number, profileId: number) => join(root, `camera-${cameraId}-profile-${profileId}.log`);

export function runnerArgv(spec: EffectiveSpec, settings: RunnerCommandSettings): string[] {
  const argv = [
    ...settings.command,
    '--camera', String(spec.cameraId),
    '--profile', String(spec.profileId),
    '--rtsp', settings.secretsInArgv ? spec.rtspUrl : withoutCredentials(spec.rtspUrl),
    '--fps', String(spec.fps),
    '--det_set', spec.detSet,
    '--hb', settings.heartbeatUrl,
    ...(settings.secretsInArgv ? ['--hb_key', settings.heartbeatKey] : []),
    '--snapshots', snapshotDirFor(settings.snapshotDir, spec.cameraId),
    '--hb_interval', String(spec.hbInterval),
    '--snapshot_every', String(spec.snapshotEvery),
  ];
  if (spec.rtspTransport !== 'auto') argv.push('--rtsp_transport', spec.rtspTransport);
  if (spec.device !== 'cpu') argv.push('--device', spec.device);
  if (spec.gpuIndex !== null) argv.push('--gpu_index', String(spec.gpuIndex));
  if (spec.hwaccel !== 'none') argv.push('--hwaccel', spec.hwaccel);
  for (const key of Object.keys(spec.extraArgs).sort()) {
    const value = spec.extraArgs[key];
    // Refused by the API; a row written before that check must not override the enforcer's own flags either.
    if (value === null || value === false || reservedFlag(key) !== null || looksLikeOption(value)) continue;
    const flag = key.startsWith('-') ? key : `--${key}`;
    argv.push(flag);
    if (value !== true) argv.push(String(value));
  }
  return argv;
}

/**
 * The runner's whole environment: the allow-listed part of the service's (`base`), the secrets
 * that stay off the command line, the spec's placement and caps, and the stray marker.
 */
export function runnerEnv(spec: EffectiveSpec, runnerId: number, base: NodeJS.ProcessEnv, settings: Pick<RunnerCommandSettings, 'node' | 'heartbeatKey' | 'envPass'>): NodeJS.ProcessEnv {
  const node = settings.node;
  const env: NodeJS.ProcessEnv = {
    ...passedEnv(base, settings.envPass),
    [RTSP_URL_ENV]: spec.rtspUrl,
    ...(settings.heartbeatKey ? { [HB_KEY_ENV]: settings.heartbeatKey } : {}),
    BISK_HB_INTERVAL: String(spec.hbInterval),
    BISK_SNAPSHOT_EVERY: String(spec.snapshotEvery),
    BISK_PLACE_DEVICE: spec.device,
    BISK_PLACE_GPU_INDEX: spec.gpuIndex === null ? '' : String(spec.gpuIndex),
    BISK_PLACE_HWACCEL: spec.hwaccel,
    BISK_CAP_MAX_FPS: spec.capMaxFps === null ? '' : String(spec.capMaxFps),
    BISK_CAP_DET_SET_MAX: spec.capDetSetMax ?? '',
    BISK_RUNNER_ID: String(runnerId),
    BISK_NODE: node,
    [RUNNER_MARKER]: `${node}:${runnerId}`,
  };
  if (spec.gpuIndex !== null) env.CUDA_VISIBLE_DEVICES = String(spec.gpuIndex);
  return env;
}

/** argv as shown in the API and events: stream credentials and the heartbeat key hidden. */
export function maskArgv(argv: string[]): string[] {
  return argv.map((arg, i) => (argv[i - 1] === '--hb_key' && arg !== '' ? '***' : maskCredentials(arg)));
}
