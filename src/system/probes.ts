import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findTool } from '../runner/ffmpeg.js';

/**
 * Probes of the host's tools, each bounded by a timeout so a hung tool cannot hang a health
 * check: ffmpeg/ffprobe (found, runnable, version) and NVIDIA GPUs through nvidia-smi.
 */

export const PROBE_TIMEOUT_MS = 2000;

interface Run {
  ok: boolean;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  error?: string;
}

function run(command: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', env }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout, stderr, timedOut: false });
      const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
      resolve({ ok: false, stdout, stderr, timedOut: Boolean(e.killed) || e.signal === 'SIGKILL', error: e.message });
    });
  });
}

function onPath(command: string, path: string): string | null {
  if (command.includes('/')) {
    try {
      accessSync(command, constants.X_OK);
      return command;
    } catch {
      return null;
    }
  }
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

export type ToolProbe = { ok: true; path: string; version: string } | { ok: false; reason: string };

/** Finds ffmpeg or ffprobe (configured path, PATH, bundled fallback) and asks its version. */
export async function probeTool(tool: 'ffmpeg' | 'ffprobe', configured: string | undefined, path: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ToolProbe> {
  const found = findTool(tool, configured, path);
  if (!found) {
    const variable = tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
    return { ok: false, reason: configured ? `${tool} not runnable at ${variable}=${configured}` : `${tool} not found on PATH (install ffmpeg or set ${variable})` };
  }
  const result = await run(found, ['-version'], timeoutMs);
  if (!result.ok) {
    return { ok: false, reason: result.timedOut ? `${found} -version did not answer within ${timeoutMs / 1000} s` : `${found} -version failed: ${firstLine(result.stderr || result.error)}` };
  }
  return { ok: true, path: found, version: firstLine(result.stdout).replace(/\s*Copyright.*$/, '') };
}

export interface Gpu {
  index: number;
  name: string;
  utilizationPercent: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
}

export type GpuProbe = { status: 'absent' } | { status: 'ok'; gpus: Gpu[] } | { status: 'error'; reason: string };

const number = (text: string | undefined) => {
  const value = Number((text ?? '').trim());
  return text !== undefined && text.trim() !== '' && Number.isFinite(value) ? value : null;
};

/** Parses `nvidia-smi --query-gpu=name,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(output: string): Gpu[] {
  return output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line, index) => {
      const [name, utilization, used, total] = line.split(',').map((part) => part.trim());
      return { index, name, utilizationPercent: number(utilization), memoryUsedMiB: number(used), memoryTotalMiB: number(total) };
    });
}

/** NVIDIA GPUs via nvidia-smi: none installed → absent; fails or hangs → error with the reason. */
export async function probeGpus(nvidiaSmi: string, path: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<GpuProbe> {
  const command = onPath(nvidiaSmi, path);
  if (!command) return { status: 'absent' };
  const result = await run(command, ['--query-gpu=name,utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'], timeoutMs, { ...process.env, PATH: path });
  if (result.timedOut) return { status: 'error', reason: `nvidia-smi did not answer within ${timeoutMs / 1000} s` };
  if (!result.ok) return { status: 'error', reason: `nvidia-smi failed: ${firstLine(result.stdout || result.stderr || result.error)}` };
  return { status: 'ok', gpus: parseNvidiaSmi(result.stdout) };
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split(/\r?\n/).find((l) => l.trim())?.trim().slice(0, 300) ?? '';
}
