import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { hasCredentials, maskCredentials, rememberSecret } from '../common/mask.js';
import { canHideUrl, FFMPEG_MISSING, ffconcatList, ffmpegArgs, findTool, friendlyError, parseInputFps, parseMajorVersion, parseProgressFrame } from './ffmpeg.js';

/**
 * The bundled reference runner (§4): `bisk runner --camera ID --profile ID --rtsp URL ...`,
 * the original runners' arguments. It decodes the stream with ffmpeg at the target fps,
 * counts processed frames, posts heartbeats, keeps snapshots, reports ffmpeg/RTSP failures
 * as short reasons, exits non-zero when ffmpeg dies and 0 on SIGTERM. It loads no Nest and
 * no database: a fleet of them should cost little.
 */

export interface RunnerOptions {
  camera: number;
  profile: number;
  rtsp: string;
  fps: number;
  hb: string;
  hbKey: string;
  snapshots: string;
  hbInterval: number;
  snapshotEvery: number;
  transport?: string;
  hwaccel?: string;
}

/**
 * The original runners' options; the stream URL and heartbeat key come from BISK_RTSP_URL and
 * BISK_HB_KEY when set (how the enforcer passes them: `--rtsp` then carries the URL without its
 * credentials, and no `--hb_key` is given), else from `--rtsp` and `--hb_key`.
 */
export function parseRunnerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): RunnerOptions {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      camera: { type: 'string' }, profile: { type: 'string' }, rtsp: { type: 'string' }, fps: { type: 'string' },
      det_set: { type: 'string' }, hb: { type: 'string' }, hb_key: { type: 'string' }, snapshots: { type: 'string' },
      hb_interval: { type: 'string' }, snapshot_every: { type: 'string' }, rtsp_transport: { type: 'string' },
      device: { type: 'string' }, gpu_index: { type: 'string' }, hwaccel: { type: 'string' },
    },
  });
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const num = (name: string, fallback?: number) => {
    const raw = text(name);
    if (raw === undefined) {
      if (fallback === undefined) throw new Error(`--${name} is required`);
      return fallback;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number (got "${raw}")`);
    return value;
  };
  const rtsp = env.BISK_RTSP_URL || text('rtsp');
  if (!rtsp) throw new Error('--rtsp (or BISK_RTSP_URL) is required');
  return {
    camera: num('camera'),
    profile: num('profile'),
    rtsp,
    fps: num('fps', 6) || 6,
    hb: text('hb') ?? 'http://127.0.0.1:8000/api/runner/heartbeat/',
    hbKey: env.BISK_HB_KEY || (text('hb_key') ?? ''),
    snapshots: text('snapshots') ?? './var/snapshots',
    hbInterval: Math.max(1, num('hb_interval', 10)),
    snapshotEvery: num('snapshot_every', 3),
    transport: text('rtsp_transport'),
    hwaccel: text('hwaccel'),
  };
}

const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${maskCredentials(message)}\n`);

export async function runReferenceRunner(argv: string[], ffmpegPath: string | undefined): Promise<number> {
  let options: RunnerOptions;
  try {
    options = parseRunnerArgs(argv);
    rememberSecret(options.hbKey);
  } catch (error) {
    process.stderr.write(`bisk runner: ${(error as Error).message}\n`);
    return 2;
  }
  const ffmpeg = findTool('ffmpeg', ffmpegPath);
  if (!ffmpeg) {
    process.stderr.write(`${FFMPEG_MISSING}\n`);
    await postHeartbeat(options, { camera_fps: 0, processed_fps: 0, last_error: FFMPEG_MISSING });
    return 127;
  }

  mkdirSync(options.snapshots, { recursive: true });
  const frameFile = join(options.snapshots, `.camera-${options.camera}-profile-${options.profile}-current.jpg`);
  let majorVersion: number | null = null;
  try {
    majorVersion = parseMajorVersion(execFileSync(ffmpeg, ['-version'], { timeout: 2000, encoding: 'utf8' }));
  } catch {
    // an ffmpeg that cannot say its version will show its problem when it runs
  }
  const input = { majorVersion, url: options.rtsp, fps: options.fps, transport: options.transport, hwaccel: options.hwaccel, snapshotFile: frameFile };
  // A URL with a password reaches ffmpeg through an ffconcat list on its standard input, not
  // its command line (which every local user can read); ffmpeg before 5.0 cannot take it that way.
  const hide = hasCredentials(options.rtsp) && canHideUrl(options.rtsp, majorVersion);
  if (!hide && hasCredentials(options.rtsp)) log(`ffmpeg ${majorVersion ?? '(unknown version)'} cannot read the stream URL from its input: its password is on ffmpeg's command line (use ffmpeg 5 or later)`);
  const args = ffmpegArgs({ ...input, listOnStdin: hide });
  log(`camera ${options.camera} profile ${options.profile}: ${ffmpeg} -i ${options.rtsp} at ${options.fps} fps`);
  // ffmpeg gets neither secret in its environment; the stray marker stays, so a left-over ffmpeg is still found.
  const { BISK_RTSP_URL: _url, BISK_HB_KEY: _key, ...ffmpegEnv } = process.env;
  const child: ChildProcess = spawn(ffmpeg, args, { stdio: [hide ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: ffmpegEnv });
  if (hide) {
    child.stdin!.on('error', () => {}); // ffmpeg gone before it read the list: its exit says why
    child.stdin!.end(ffconcatList(input));
  }

  let cameraFps: number | null = null;
  let frames = 0;
  let lastError = '';
  const recentStderr: string[] = [];
  let stopping = false;

  createInterface({ input: child.stdout! }).on('line', (line) => {
    const frame = parseProgressFrame(line);
    if (frame !== null) frames = frame;
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    cameraFps ??= parseInputFps(line);
    const friendly = friendlyError(line);
    if (friendly) lastError = friendly;
    if (/error|failed|invalid|refused|denied|timed out|not found/i.test(line)) {
      recentStderr.push(line);
      if (recentStderr.length > 5) recentStderr.shift();
    }
  });

  let beats = 0;
  let lastFrames = 0;
  let lastBeatAt = Date.now();
  const beat = async () => {
    const now = Date.now();
    const processedFps = ((frames - lastFrames) * 1000) / Math.max(1, now - lastBeatAt);
    lastFrames = frames;
    lastBeatAt = now;
    beats++;
    if (options.snapshotEvery > 0 && beats % options.snapshotEvery === 0 && existsSync(frameFile)) {
      const target = join(options.snapshots, `camera-${options.camera}-profile-${options.profile}-latest.jpg`);
      try {
        copyFileSync(frameFile, `${target}.tmp`);
        renameSync(`${target}.tmp`, target);
      } catch {
        // a snapshot is best effort
      }
    }
    await postHeartbeat(options, { camera_fps: cameraFps ?? 0, processed_fps: Math.round(processedFps * 100) / 100, last_error: lastError });
  };
  const first = setTimeout(() => void beat(), Math.min(2000, options.hbInterval * 1000));
  const timer = setInterval(() => void beat(), options.hbInterval * 1000);

  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const stop = () => {
    stopping = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  const { code, signal } = await exited;
  clearTimeout(first);
  clearInterval(timer);
  if (stopping) {
    log('stopped on request');
    return 0;
  }
  const reason = lastError || friendlyError(recentStderr.join('\n')) || `ffmpeg exited (${signal ?? `code ${code}`})`;
  await postHeartbeat(options, { camera_fps: 0, processed_fps: 0, last_error: reason });
  process.stderr.write(`ffmpeg stopped: ${reason}${recentStderr.length ? ` — ${maskCredentials(recentStderr[recentStderr.length - 1])}` : ''}\n`);
  return 1;
}

async function postHeartbeat(options: RunnerOptions, values: { camera_fps: number; processed_fps: number; last_error: string }): Promise<void> {
  const body = {
    camera_id: options.camera,
    profile_id: options.profile,
    pid: process.pid,
    target_fps: options.fps,
    detected: 0,
    matched: 0,
    latency_ms: 0,
    snapshot_every: options.snapshotEvery,
    ...values,
  };
  try {
    const response = await fetch(options.hb, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.hbKey ? { 'x-bisk-key': options.hbKey } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) log(`heartbeat answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  } catch (error) {
    log(`heartbeat failed: ${(error as Error).message}`);
  }
}
