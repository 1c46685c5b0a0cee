import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

/** Finding ffmpeg/ffprobe and reading what ffmpeg says, for the reference runner and health checks. */

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * FFMPEG_PATH (or FFPROBE_PATH) when set, else the first on PATH, else the binary shipped by
 * the optional `@ffmpeg-installer/ffmpeg` package when it is installed; null when none.
 */
export function findTool(tool: 'ffmpeg' | 'ffprobe', configured: string | undefined, path = process.env.PATH ?? ''): string | null {
  if (configured) return executable(configured) ? configured : null;
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, tool);
    if (executable(candidate)) return candidate;
  }
  if (tool === 'ffmpeg') {
    try {
      const bundled = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
      if (executable(bundled)) return bundled;
    } catch {
      // optional package not installed
    }
  }
  return null;
}

export const FFMPEG_MISSING =
  'ffmpeg not found: install it (apt-get install ffmpeg), put it on PATH, or set FFMPEG_PATH to its full path';

const FRIENDLY: [RegExp, string][] = [
  [/401 Unauthorized|authorization failed|Unauthorized/i, 'auth failed (check the user name and password in the stream URL)'],
  [/404 Not Found|No such file or directory|Server returned 404|not found/i, 'stream not found (check the path in the stream URL)'],
  [/Connection timed out|timed out|Operation timed out|timeout/i, 'timed out (camera unreachable or too slow)'],
  [/Connection refused/i, 'connection refused (wrong port, or the camera service is down)'],
  [/No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution/i, 'host unreachable (check the address and the network)'],
  [/Invalid data found when processing input|moov atom not found|could not find codec parameters/i, 'invalid data (not a video stream, or a corrupt file)'],
  [/Server returned 5\d\d|Internal Server Error/i, 'camera server error'],
];

/** Maps an ffmpeg/RTSP error line to a short operator-friendly reason; null when it is not an error we know. */
export function friendlyError(line: string): string | null {
  for (const [pattern, text] of FRIENDLY) if (pattern.test(line)) return text;
  return null;
}

/** "Stream #0:0...: Video: h264 ..., 25 fps, ..." → 25 (the camera's own frame rate). */
export function parseInputFps(line: string): number | null {
  if (!/Stream #\d+:\d+.*Video:/.test(line)) return null;
  const match = /,\s*([\d.]+)\s*fps/.exec(line) ?? /,\s*([\d.]+)\s*tbr/.exec(line);
  return match ? Number(match[1]) : null;
}

/** Reads `frame=N` from ffmpeg's `-progress` output. */
export function parseProgressFrame(line: string): number | null {
  const match = /^frame=(\d+)\s*$/.exec(line.trim());
  return match ? Number(match[1]) : null;
}

export function isFileInput(url: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || url.startsWith('file://');
}

/** Major version from `ffmpeg -version` ("ffmpeg version 5.1.9-0+deb12u1" → 5); null for snapshot builds. */
export function parseMajorVersion(versionOutput: string): number | null {
  const match = /ffmpeg version n?(\d+)\./i.exec(versionOutput);
  return match ? Number(match[1]) : null;
}

export interface FfmpegArgsInput {
  /** ffmpeg's major version, when known: the RTSP socket-timeout option changed name in 5.0. */
  majorVersion?: number | null;
  url: string;
  fps: number;
  transport?: string;
  hwaccel?: string;
  snapshotFile: string;
  /**
   * ffmpeg reads an ffconcat list naming `url` (see ffconcatList) from its standard input:
   * the URL and its password appear neither on ffmpeg's command line nor in any file.
   */
  listOnStdin?: boolean;
}

/** Protocols a stream named in the ffconcat list may use (the concat demuxer asks for a whitelist). */
export const STREAM_PROTOCOLS = 'pipe,file,rtsp,rtsps,rtp,srtp,udp,tcp,tls,http,https,httpproxy,crypto,data';

/** RTSP socket timeout: -timeout since ffmpeg 5, -stimeout before (where -timeout meant "listen as a server"). */
function socketTimeout(input: FfmpegArgsInput): [string, string] | null {
  if (!/^rtsps?:/i.test(input.url) || !input.majorVersion) return null;
  return [input.majorVersion >= 5 ? 'timeout' : 'stimeout', '10000000'];
}

function rtspTransport(input: FfmpegArgsInput): string | null {
  return input.transport && input.transport !== 'auto' && /^rtsps?:/i.test(input.url) ? input.transport : null;
}

/**
 * Whether the URL can be handed to ffmpeg through an ffconcat list: network streams, on an
 * ffmpeg whose concat demuxer takes per-file `option` lines (5.0 and later).
 */
export function canHideUrl(url: string, majorVersion: number | null | undefined): boolean {
  return !isFileInput(url) && (majorVersion ?? 0) >= 5;
}

/** The ffconcat list naming one stream with its input options (quotes escaped as ffconcat wants). */
export function ffconcatList(input: FfmpegArgsInput): string {
  const lines = ['ffconcat version 1.0', `file '${input.url.replace(/'/g, "'\\''")}'`];
  const transport = rtspTransport(input);
  if (transport) lines.push(`option rtsp_transport ${transport}`);
  const timeout = socketTimeout(input);
  if (timeout) lines.push(`option ${timeout[0]} ${timeout[1]}`);
  return `${lines.join('\n')}\n`;
}

/**
 * One ffmpeg that decodes the input at the target fps (counted through -progress) and keeps
 * a current frame as JPEG for snapshots. File inputs loop at native rate, like a camera.
 */
export function ffmpegArgs(input: FfmpegArgsInput): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'info'];
  if (isFileInput(input.url)) args.push('-stream_loop', '-1', '-re');
  if (input.hwaccel === 'nvdec') args.push('-hwaccel', 'cuda');
  if (input.listOnStdin) {
    // Transport and timeout travel in the list, as options of the stream it opens.
    args.push('-f', 'concat', '-safe', '0', '-protocol_whitelist', STREAM_PROTOCOLS, '-i', 'pipe:0');
  } else {
    const transport = rtspTransport(input);
    if (transport) args.push('-rtsp_transport', transport);
    // A socket timeout so a dead camera is noticed; unknown builds get none.
    const timeout = socketTimeout(input);
    if (timeout) args.push(`-${timeout[0]}`, timeout[1]);
    args.push('-i', input.url.replace(/^file:\/\//, ''));
  }
  args.push('-map', '0:v:0', '-vf', `fps=${input.fps}`, '-f', 'null', '-');
  args.push('-map', '0:v:0', '-vf', 'fps=1', '-update', '1', '-q:v', '5', '-y', input.snapshotFile);
  args.push('-progress', 'pipe:1'); // progress every ~0.5 s (no -stats_period: older ffmpeg builds lack it)
  return args;
}
