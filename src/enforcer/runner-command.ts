import { join } from 'node:path';
import { maskCredentials } from '../common/mask.js';
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
    '--rtsp', spec.rtspUrl,
    '--fps', String(spec.fps),
    '--det_set', spec.detSet,
    '--hb', settings.heartbeatUrl,
    '--hb_key', settings.heartbeatKey,
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
    if (value === null || value === false) continue;
    const flag = key.startsWith('-') ? key : `--${key}`;
    argv.push(flag);
    if (value !== true) argv.push(String(value));
  }
  return argv;
}

export function runnerEnv(spec: EffectiveSpec, runnerId: number, node: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
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
