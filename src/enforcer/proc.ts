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
  return parseMarker(env);
}

const MARKER_PREFIX = `${RUNNER_MARKER}=`;

/** The marker in a NUL-separated environment block (no split: this runs for every process on the host). */
export function parseMarker(env: string): { node: string; runnerId: number | null } | null {
  let at = env.startsWith(MARKER_PREFIX) ? 0 : env.indexOf(`\0${MARKER_PREFIX}`);
  if (at < 0) return null;
  if (at > 0 || env[0] === '\0') at += 1;
  const end = env.indexOf('\0', at);
  const [node, id] = env.slice(at + MARKER_PREFIX.length, end < 0 ? undefined : end).split(':');
  const runnerId = Number.parseInt(id ?? '', 10);
  return { node, runnerId: Number.isFinite(runnerId) ? runnerId : null };
}

/** Seconds since boot, for the age of a process (its start time is in clock ticks since boot). */
function uptimeTicks(): number {
  try {
    return Number.parseFloat(readFileSync('/proc/uptime', 'utf8')) * CLOCK_TICKS;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

interface Known {
  startTime: string;
  pgrp: number;
  marker: { node: string; runnerId: number | null } | null;
}

/** What is left of a runner's process group once its leader is gone: ffmpeg and other children. */
export interface OrphanedGroup {
  pgid: number;
  node: string;
  runnerId: number | null;
  members: number[];
}

/**
 * What earlier scans learned per PID: its start time, its process group and its marker. A
 * process's environment cannot gain a marker without an exec, which only a process a few
 * moments old is still about to do, so steady scans read nothing but the /proc listing; new
 * PIDs are read in full, and every FULL_SCAN_EVERY scans everything is read again (a PID reused
 * between two scans, or a process become a zombie, is then noticed too).
 */
const known = new Map<number, Known>();
let scans = 0;
const FULL_SCAN_EVERY = 30;
let lastOrphans: OrphanedGroup[] = [];

/** Process-group leaders carrying the runner marker (runners are started as group leaders). */
export function findMarkedProcesses(): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  const present = new Set<number>();
  const followers: { pid: number; pgrp: number; marker: { node: string; runnerId: number | null } }[] = [];
  const full = scans++ % FULL_SCAN_EVERY === 0;
  const now = uptimeTicks();
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let entry = full ? undefined : known.get(pid);
    if (entry === undefined) {
      const stat = readStat(pid);
      if (!stat || stat.state === 'Z') continue;
      entry = { startTime: stat.startTime, pgrp: stat.pgrp, marker: readMarker(pid) };
      // A young process may still exec into a runner (or be about to set up its group): read it again next time.
      if (entry.marker !== null || now - Number(stat.startTime) > 5 * CLOCK_TICKS) known.set(pid, entry);
      else known.delete(pid);
    }
    present.add(pid);
    if (entry.marker === null) continue;
    if (entry.pgrp === pid) found.push({ pid, startTime: entry.startTime, ...entry.marker });
    else followers.push({ pid, pgrp: entry.pgrp, marker: entry.marker });
  }
  for (const pid of known.keys()) if (!present.has(pid)) known.delete(pid);
  lastOrphans = orphanedGroups(followers, present);
  return found.sort((a, b) => a.pid - b.pid);
}

/**
 * Marked processes that do not lead their group and whose group leader is gone (a PID stays
 * taken while a group of that id exists, so a live process with the group's id is its leader).
 * From the last findMarkedProcesses scan.
 */
export function findOrphanedGroups(): OrphanedGroup[] {
  return lastOrphans;
}

function orphanedGroups(followers: { pid: number; pgrp: number; marker: { node: string; runnerId: number | null } }[], present: Set<number>): OrphanedGroup[] {
  const groups = new Map<number, OrphanedGroup>();
  for (const f of followers) {
    // The leader is listed in this scan: its group is not orphaned (no stat read per runner and tick;
    // a leader that died as a zombie nobody reaps drops out at the next full scan).
    if (present.has(f.pgrp)) continue;
    // Still in that group? (A follower may have moved to a group of its own since it was read.)
    const stat = readStat(f.pid);
    if (!stat || stat.state === 'Z' || stat.pgrp !== f.pgrp) continue;
    const group = groups.get(f.pgrp) ?? { pgid: f.pgrp, node: f.marker.node, runnerId: f.marker.runnerId, members: [] };
    group.members.push(f.pid);
    groups.set(f.pgrp, group);
  }
  return [...groups.values()].sort((a, b) => a.pgid - b.pgid);
}
