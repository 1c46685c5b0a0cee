import { readdirSync, readFileSync } from 'node:fs';

/**
 * Reading Linux /proc: a process's kernel start time (to tell a PID from a reused one), its
 * process group, and the runner marker in its environment (to find strays).
 */

export interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
  /** Field 22: start time in clock ticks since boot, as a string (it can exceed 2^53 in theory). */
  startTime: string;
}

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const pid = Number.parseInt(text, 10);
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state); field N is fields[N - 3].
  if (fields.length < 20) return null;
  return { pid, state: fields[0], pgrp: Number(fields[2]), startTime: fields[19] };
}

export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * True when `pid` is running and is the same process that was recorded (same kernel start
 * time). A zombie counts as gone. This is the guard in front of every signal.
 */
export function isSameProcess(pid: number, startTime: string | null): boolean {
  const stat = readStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === null || stat.startTime === startTime;
}

export const RUNNER_MARKER = 'BISK_RUNNER_MARKER';

export interface MarkedProcess {
  pid: number;
  startTime: string;
  node: string;
  runnerId: number | null;
}

/** Reads `BISK_RUNNER_MARKER=<node>:<runnerId>` from a process's environment, if present. */
export function readMarker(pid: number): { node: string; runnerId: number | null } | null {
  let env: string;
  try {
    env = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return null;
  }
  const entry = env.split('\0').find((e) => e.startsWith(`${RUNNER_MARKER}=`));
  if (!entry) return null;
  const [node, id] = entry.slice(RUNNER_MARKER.length + 1).split(':');
  const runnerId = Number.parseInt(id ?? '', 10);
  return { node, runnerId: Number.isFinite(runnerId) ? runnerId : null };
}

/** Process-group leaders carrying the runner marker (runners are started as group leaders). */
export function findMarkedProcesses(): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const stat = readStat(pid);
    if (!stat || stat.pgrp !== pid || stat.state === 'Z') continue;
    const marker = readMarker(pid);
    if (marker) found.push({ pid, startTime: stat.startTime, ...marker });
  }
  return found.sort((a, b) => a.pid - b.pid);
}
